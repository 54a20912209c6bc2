"""Turn-based games and action masks: masked-logit math, GAE over each slot's own decisions,
credit of rewards that arrive between an agent's turns (a hand-played game), the native
tictactoe against PettingZoo's move for move, and PettingZoo's own AEC envs through
ExternalVecEnv."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch
from pettingzoo.classic import tictactoe_v3

import arena
from agents.nets import CategoricalHead
from agents.ppo_math import turn_gae
from arena.adapters.external import ExternalVecEnv
from arena.interfaces.episodes import EpisodeTracker
from arena.interfaces.learner import ActResult
from arena.interfaces.spec import LearnerCapabilities, TeamSpec
from arena.training.collector import Collector

GAME = "games/tictactoe-v0"


# --------------------------------------------------------------------------- masked logits
def test_masked_actions_have_probability_exactly_zero() -> None:
    head = CategoricalHead(4, 5)
    h = torch.randn(3, 4)
    mask = torch.tensor([[True, False, True, False, True], [False] * 4 + [True],
                         [True] * 5])
    dist = head(h, mask)
    assert bool((dist.probs[~mask] == 0).all())
    logits = head.logits(h)
    for row in range(3):  # log-probs and entropy of the renormalized distribution
        legal = logits[row][mask[row]]
        logp = legal - torch.logsumexp(legal, 0)
        torch.testing.assert_close(dist.log_prob(torch.nonzero(mask[row]).squeeze(1)[None]
                                                 .expand(3, -1).T)[:, row], logp)
        torch.testing.assert_close(dist.entropy()[row], -(logp.exp() * logp).sum())
    samples = dist.sample((2000,))
    assert bool(mask.gather(1, samples.T).all())
    assert bool(mask.gather(1, dist.probs.argmax(-1, keepdim=True)).all())
    assert dist.entropy()[1] == 0  # one legal action: no uncertainty


def test_hand_computed_masked_entropy() -> None:
    head = CategoricalHead(1, 3)
    with torch.no_grad():
        head.logits.weight.zero_()
        head.logits.bias.copy_(torch.tensor([0.0, math.log(3.0), 5.0]))
    dist = head(torch.zeros(1, 1), torch.tensor([[True, True, False]]))
    torch.testing.assert_close(dist.probs, torch.tensor([[0.25, 0.75, 0.0]]))
    expected = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))
    torch.testing.assert_close(dist.entropy(), torch.tensor([expected]))


# ------------------------------------------------------------------------- turn GAE
def test_turn_gae_matches_hand_computed_values() -> None:
    """Two players alternate in two envs; env 0's game ends after step 3, env 1's goes on
    (its last decisions are bootstrap-only)."""
    g, lam = 0.9, 0.8
    v = torch.tensor([[[0.5, 0.0], [0.2, -0.1]], [[0.0, 0.3], [0.0, 0.6]],
                      [[0.4, 0.0], [0.7, 0.0]], [[0.0, -0.2], [0.0, 0.1]]])
    r = torch.tensor([[[0.1, 0.0], [0.0, 0.0]], [[0.0, 0.2], [0.0, 0.0]],
                      [[1.0, 0.0], [0.0, 0.0]], [[0.0, -1.0], [0.0, 0.0]]])
    active = torch.tensor([[[1.0, 0.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]],
                           [[1.0, 0.0], [0.0, 0.0]], [[0.0, 1.0], [0.0, 0.0]]])
    boot = torch.zeros_like(active)
    boot[2, 1, 0] = boot[3, 1, 1] = 1.0  # env 1: the last decisions of the rollout
    dones = torch.zeros(4, 2, 1)
    dones[3, 0] = 1.0
    adv, returns = turn_gae(r, v, dones, active, boot, g, lam)
    a2 = 1.0 - 0.4                       # env 0, player 0 at t=2: the game ends before its turn
    a0 = 0.1 + g * 0.4 - 0.5 + g * lam * a2
    a3 = -1.0 - (-0.2)                   # player 1 at t=3: the last move
    a1 = 0.2 + g * (-0.2) - 0.3 + g * lam * a3
    b0 = 0.0 + g * 0.7 - 0.2             # env 1: bootstrapped by the next decision's value
    b1 = 0.0 + g * 0.1 - 0.6
    expected = torch.zeros_like(adv)
    expected[0, 0, 0], expected[2, 0, 0], expected[1, 0, 1], expected[3, 0, 1] = a0, a2, a1, a3
    expected[0, 1, 0], expected[1, 1, 1] = b0, b1
    torch.testing.assert_close(adv, expected)
    torch.testing.assert_close(returns, expected + v)


# -------------------------------------------------------- credit in a hand-played game
class Script:
    """A learner that plays a fixed list of squares (whoever is to move) and records the
    values it was asked for."""

    def __init__(self, spec: TeamSpec, moves: list[int]) -> None:
        self.spec, self.moves, self.gamma = spec, moves, 0.99
        self.caps = LearnerCapabilities()
        self.t = 0

    def act(self, obs: torch.Tensor, state: Any, deterministic: bool = False,
            memory: Any = None, starts: Any = None, action_mask: Any = None) -> ActResult:
        move = torch.full(obs.shape[:2], self.moves[self.t], dtype=torch.long)
        assert action_mask is not None  # the collector passes the legal moves
        self.t += 1
        zeros = torch.zeros(obs.shape[:2])
        return ActResult(move, zeros, zeros + self.t)

    def value(self, obs: torch.Tensor, state: Any) -> torch.Tensor:
        return torch.zeros(obs.shape[:2])


def test_rewards_between_turns_are_credited_to_the_last_decision() -> None:
    """X plays 4, 0, 8 and wins on its third move (step 4); O's -1 arrives while O is not to
    move and belongs to O's last decision (step 3). Step 5 opens the next game: X's first
    move there is the rollout's open decision (bootstrap only)."""
    env = arena.make(GAME, num_envs=1)
    env.reset(seed=0)
    learner = Script(TeamSpec.of(env, "player"), [4, 1, 0, 2, 8, 4])
    collector = Collector(env, {"player": learner}, {}, 6, torch.device("cpu"))  # type: ignore[dict-item]
    collector.collect(EpisodeTracker())
    ro = collector.rollouts["player"]
    assert ro.boot is not None and ro.action_mask is not None
    rewards = ro.rewards[:, 0]
    expected = torch.zeros(6, 2)
    expected[4, 0], expected[3, 1] = 1.0, -1.0
    torch.testing.assert_close(rewards, expected)
    active = torch.tensor([[1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 0]], dtype=torch.float)
    torch.testing.assert_close(ro.active[:, 0], active)
    assert ro.boot[:, 0].nonzero().tolist() == [[5, 0]]
    assert ro.dones[:, 0, 0].tolist() == [0, 0, 0, 0, 1, 0]
    assert ro.action_mask[1, 0, 1].sum() == 8 and ro.action_mask[1, 0, 0].sum() == 0


# ----------------------------------------------------------- native game vs PettingZoo
def _pettingzoo_obs(env: Any, agent: str) -> tuple[np.ndarray, np.ndarray]:
    o = env.observe(agent)
    return o["observation"].reshape(-1).astype(np.float32), o["action_mask"].astype(bool)


@pytest.mark.parametrize("seed", range(3))
def test_native_tictactoe_matches_pettingzoo_move_for_move(seed: int) -> None:
    """Random legal games played in both versions with the same moves: the same
    observations, legal moves, rewards, ends and winners at every step."""
    rng = np.random.default_rng(seed)
    ref = tictactoe_v3.env()
    native = arena.make(GAME, num_envs=1, auto_reset=False)
    names = {"player_1": 0, "player_2": 1}  # PettingZoo's names -> native seats
    outcomes = []
    for _ in range(40):
        ref.reset()
        obs, _ = native.reset(seed=0)
        while ref.agents and not any(ref.terminations.values()):
            for agent, i in names.items():
                ref_obs, ref_mask = _pettingzoo_obs(ref, agent)
                np.testing.assert_array_equal(obs["player"][0, i].numpy(), ref_obs)
                np.testing.assert_array_equal(native.action_mask()["player"][0, i].numpy(),
                                              ref_mask)
            mover = names[ref.agent_selection]
            assert bool(native.agent_mask("player")[0, mover])
            move = int(rng.choice(np.flatnonzero(_pettingzoo_obs(ref, ref.agent_selection)[1])))
            ref.step(move)
            obs, rew, term, trunc, info = native.step(
                {"player": torch.tensor([[move, move]])})
            for agent, i in names.items():
                assert float(rew["player"][0, i]) == ref.rewards[agent]
            assert bool(term[0]) == any(ref.terminations.values()) and not bool(trunc[0])
        outcomes.append({k: int(v[0]) for k, v in info["metrics"].items()})
    assert sum(o["player_0_win"] for o in outcomes) > 0 and sum(o["draw"] for o in outcomes) > 0


def test_native_illegal_move_ends_the_game_like_pettingzoo() -> None:
    env = arena.make(GAME, num_envs=1, check_actions=False)
    env.reset(seed=0)
    env.step({"player": torch.tensor([[4, 0]])})
    _, rew, term, _, info = env.step({"player": torch.tensor([[0, 4]])})  # O plays X's square
    assert rew["player"].tolist() == [[0.0, -1.0]] and bool(term[0])
    assert int(info["metrics"]["illegal_move"][0]) == 1
    checked = arena.make(GAME, num_envs=1)
    checked.reset(seed=0)
    checked.step({"player": torch.tensor([[4, 0]])})
    with pytest.raises(arena.ActionError, match="illegal actions .* 4 for player_1"):
        checked.step({"player": torch.tensor([[0, 4]])})


def test_scripted_lookahead_wins_and_blocks() -> None:
    env = arena.make(GAME, num_envs=2)
    env.reset(seed=0)
    board = env.scenario.board
    board[0] = torch.tensor([1, 1, 0, 2, 2, 0, 0, 0, 0])  # X to move: win at 2
    board[1] = torch.tensor([1, 0, 0, 2, 2, 0, 1, 0, 0])  # O to move: win at 5
    env.scenario.to_move[:] = torch.tensor([0, 1])
    assert env.scripted_actions()["player"][:, 0].tolist() == [2, 5]
    board[0] = torch.tensor([2, 2, 0, 1, 0, 0, 1, 0, 0])  # X to move: block at 2
    env.scenario.to_move[0] = 0
    assert int(env.scripted_actions()["player"][0, 0]) == 2


# ------------------------------------------------ PettingZoo's own AEC game via the adapter
def test_pettingzoo_tictactoe_through_external_vec_env() -> None:
    env = ExternalVecEnv(tictactoe_v3.env, num_envs=3, env_id="tictactoe_v3")
    assert env.turn_based and env.has_action_masks and env.teams == {
        "player": ["player_1", "player_2"]}
    assert env.observation_space("player").shape == (18,)
    obs, _ = env.reset(seed=0)
    assert env.agent_mask("player").tolist() == [[True, False]] * 3
    masks = env.action_mask()
    assert masks is not None and masks["player"][:, 0].all() and not masks["player"][:, 1].any()
    total = torch.zeros(3, 2)
    finished = torch.zeros(3, dtype=torch.bool)
    for _ in range(9):
        actions = env.sample_actions()
        mask = env.action_mask()["player"]  # type: ignore[index]
        mover = env.agent_mask("player")
        legal = mask.gather(-1, actions["player"].unsqueeze(-1)).squeeze(-1)
        assert bool(legal[mover].all())  # random play is legal play
        obs, rew, term, trunc, info = env.step(actions)
        total += rew["player"] * ~finished.unsqueeze(-1)
        finished |= info["done"]
    assert bool(finished.all())  # a game takes at most 9 moves
    assert bool(((total.sum(-1) == 0) & (total.abs().max(-1).values <= 1)).all())  # zero-sum


def test_the_issue_command_now_works_and_unsupported_envs_are_named() -> None:
    from arena.adapters.external import load_env_factory

    env = ExternalVecEnv(load_env_factory("pettingzoo.classic.tictactoe_v3:env", {}),
                         num_envs=4, env_id="tictactoe_v3")
    env.reset(seed=1)
    env.step(env.sample_actions())
    with pytest.raises(ValueError, match=r"rps_v2: agent 'player_0' has observation space "
                                         r"Discrete\(4\); ExternalVecEnv supports Box"):
        ExternalVecEnv(load_env_factory("pettingzoo.classic.rps_v2:env", {}), env_id="rps_v2")


# ----------------------------------------------------------------- league self-play
def league_trainer(tmp_path: Any, name: str, **over: Any) -> Any:
    from arena.training.run_config import load_config
    from arena.training.trainer import Trainer

    cfg = load_config(None, overrides={
        "env.id": GAME, "env.num_envs": 8, "rollout_steps": 12, "total_steps": 8 * 12 * 4,
        "log.progress": False, "log.tensorboard": False, "eval.episodes": 4, "eval.gif": False,
        "policy.hidden_sizes": [16], "algo.name": "ippo", "algo.epochs": 1,
        "coevolution.mode": "league", "coevolution.generation": 2,
        "coevolution.population_size": 2, "log.run_dir": str(tmp_path / name), **over})
    return Trainer(cfg)


def test_league_seats_the_learner_against_past_snapshots(tmp_path: Any) -> None:
    t = league_trainer(tmp_path, "league")
    ctl, co = t.collector.control["player"], t.coevo
    seat = torch.arange(8) % 2
    assert bool((ctl.owner.gather(1, seat.unsqueeze(-1)) == 0).all())  # the learner's seat
    other = ctl.owner.gather(1, (1 - seat).unsqueeze(-1)).squeeze(-1)
    assert torch.equal(other, co.controller["player"] + 1) and bool((other > 0).all())
    t.train(stop_after_iterations=1)
    active = t.collector.rollouts["player"].active
    assert active.gather(2, (1 - seat).view(1, 8, 1).expand(12, 8, 1)).sum() == 0
    assert active.sum() > 0
    co.wins.zero_()
    co.games.zero_()
    ret = torch.tensor([[1.0, -1.0], [1.0, -1.0], [0.0, 0.0], [0.0, 0.0]] + [[0.0, 0.0]] * 4)
    done = torch.tensor([True, True, True, False] + [False] * 4)
    co.record({"done": done, "metrics": {"draw": done}, "episode_return": {"player": ret}})
    # env 0: the learner (seat 0) won; env 1: the member (seat 0) won; env 2: a draw
    assert co.wins[:4].tolist() == [0.0, 1.0, 0.5, 0.0]
    assert co.games[:4].tolist() == [1.0, 1.0, 1.0, 0.0]


def test_league_resumes_exactly(tmp_path: Any) -> None:
    from arena.core.typed import to_dict
    from arena.training.run_config import load_config
    from arena.training.trainer import Trainer

    a = league_trainer(tmp_path, "a")
    a.train(stop_after_iterations=3)
    a.save_checkpoint()
    resumed = Trainer(load_config(None, base=to_dict(a.cfg)), resume=True)
    resumed.train()
    b = league_trainer(tmp_path, "b")
    b.train()
    for x, y in zip(resumed.learners["player"].actor().parameters(),
                    b.learners["player"].actor().parameters(), strict=True):
        assert torch.equal(x, y)
    assert torch.equal(resumed.coevo.controller["player"], b.coevo.controller["player"])


def test_league_needs_a_game_team(tmp_path: Any) -> None:
    with pytest.raises(ValueError, match="league needs one trained team whose agents"):
        league_trainer(tmp_path, "x", **{"env.id": "attack_defense/breach-v0"})


@pytest.mark.parametrize("algo", ["mappo", "ippo", "grpo"])
def test_every_algorithm_trains_on_the_game_with_legal_moves_only(tmp_path: Any,
                                                                  algo: str) -> None:
    from arena.training.run_config import load_config
    from arena.training.trainer import Trainer

    over = {"algo.group_size": 4} if algo == "grpo" else {}
    cfg = load_config(None, overrides={
        "env.id": GAME, "env.num_envs": 16, "rollout_steps": 9, "total_steps": 16 * 9 * 2,
        "log.progress": False, "log.tensorboard": False, "eval.episodes": 8, "eval.gif": False,
        "policy.hidden_sizes": [16], "algo.name": algo, "algo.epochs": 2,
        "log.run_dir": str(tmp_path / algo), **over})
    trainer = Trainer(cfg)
    assert trainer.train()["eval/illegal_move"] == 0
    ro = trainer.collector.rollouts["player"]
    assert ro.action_mask is not None
    legal = ro.action_mask.gather(-1, ro.actions.unsqueeze(-1)).squeeze(-1)
    acted = ro.active > 0
    assert bool(acted.any()) and bool(legal[acted].all())


def test_a_masked_parallel_scenario_exposes_masks_the_pettingzoo_way() -> None:
    from pettingzoo.test import parallel_api_test

    from arena.adapters.pettingzoo import ArenaParallelEnv
    from envs.coordination.simple_spread import SimpleSpread, SimpleSpreadConfig

    class NoIdling(SimpleSpread):
        """simple_spread where the no-op move is illegal."""

        def action_mask(self, world: Any) -> dict[str, torch.Tensor]:
            mask = torch.ones(world.num_envs, self.config.N, 5, dtype=torch.bool)
            mask[..., 0] = False
            return {"agent": mask}

    env = arena.VecEnv(NoIdling(SimpleSpreadConfig()), num_envs=1, auto_reset=False)
    par = ArenaParallelEnv(env)
    obs, _ = par.reset(seed=0)
    assert obs["agent_0"]["action_mask"].tolist() == [0, 1, 1, 1, 1]
    assert par.observation_space("agent_0")["action_mask"].dtype == np.int8
    parallel_api_test(ArenaParallelEnv(arena.VecEnv(NoIdling(SimpleSpreadConfig()),
                                                    auto_reset=False)), num_cycles=30)
    batched = arena.VecEnv(NoIdling(SimpleSpreadConfig()), num_envs=64)
    batched.reset(seed=0)
    assert bool((batched.sample_actions()["agent"] != 0).all())
    with pytest.raises(arena.ActionError, match="illegal actions"):
        batched.step({"agent": torch.zeros(64, 3, dtype=torch.long)})


def test_continuous_heads_say_they_ignore_masks() -> None:
    import gymnasium

    from agents.actor_critic import Actor
    from arena.interfaces.policy_config import PolicyConfig

    with pytest.warns(UserWarning, match="continuous head: the masks are ignored"):
        actor = Actor(4, [("obs", 1, 4)], gymnasium.spaces.Box(-1, 1, (2,)), 1, PolicyConfig(),
                      masked=True)
    assert not actor.masked
