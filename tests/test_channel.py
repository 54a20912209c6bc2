"""The message channel against hand-computed cases: range, delay, drop, noise, cost, silence,
resets, and the move/message split of talking teams' actions."""

from __future__ import annotations

import math

import pytest
import torch

import arena
from arena.core.typed import ConfigError
from arena.sim.channel import Channel, ChannelConfig, others

# three agents on a line: 0 at x=0, 1 at x=1, 2 at x=3
POS = torch.tensor([[[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]]])
MSG = torch.tensor([[[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]]])  # one message per sender


def channel(**kwargs: float) -> Channel:
    cfg = ChannelConfig(dim=2, **kwargs)  # type: ignore[arg-type]
    return Channel(cfg, 1, 3, torch.ones(3, dtype=torch.bool), torch.device("cpu"),
                   torch.float32)


def test_everyone_hears_everyone_else_by_default() -> None:
    ch = channel()
    ch.send(MSG, POS)
    for i in range(3):
        for j in range(3):
            want = torch.zeros(2) if i == j else MSG[0, j]
            assert torch.equal(ch.inbox[0, i, j], want), (i, j)
    assert ch.delivered[0].tolist() == [[False, True, True], [True, False, True],
                                        [True, True, False]]


def test_range_keeps_only_close_pairs() -> None:
    ch = channel(range=1.5)  # 0-1 at distance 1 talk; 2 is 2 and 3 away from the others
    ch.send(MSG, POS)
    assert ch.delivered[0].tolist() == [[False, True, False], [True, False, False],
                                        [False, False, False]]
    assert torch.equal(ch.inbox[0, 0, 1], MSG[0, 1])
    assert torch.equal(ch.inbox[0, 1, 2], torch.zeros(2))
    ch2 = channel(range=2.0)  # distance exactly 2 (1 to 2) still crosses
    ch2.send(MSG, POS)
    assert bool(ch2.delivered[0, 1, 2]) and not bool(ch2.delivered[0, 0, 2])


def test_delay_shifts_delivery_by_whole_steps() -> None:
    ch = channel(delay=2)
    first, second = MSG, MSG * 10
    ch.send(first, POS)
    assert torch.equal(ch.inbox, torch.zeros_like(ch.inbox))
    ch.send(second, POS)
    assert torch.equal(ch.inbox, torch.zeros_like(ch.inbox))
    ch.send(torch.zeros_like(MSG), POS)
    assert torch.equal(ch.inbox[0, 0, 1], first[0, 1])  # sent two steps earlier
    ch.send(torch.zeros_like(MSG), POS)
    assert torch.equal(ch.inbox[0, 0, 1], second[0, 1])


def test_drop_probability_is_the_loss_rate() -> None:
    n_env = 4000
    cfg = ChannelConfig(dim=1, drop_prob=0.3)
    ch = Channel(cfg, n_env, 3, torch.ones(3, dtype=torch.bool), torch.device("cpu"),
                 torch.float32)
    gen = torch.Generator().manual_seed(0)
    ch.send(torch.ones(n_env, 3, 1), torch.zeros(n_env, 3, 2), gen)
    rate = ch.delivered.float().sum() / (n_env * 6)  # 6 ordered pairs per env
    se = math.sqrt(0.7 * 0.3 / (n_env * 6))
    assert abs(float(rate) - 0.7) < 4 * se
    assert ChannelConfig(dim=1, drop_prob=1.0).drop_prob == 1.0
    everything_lost = Channel(ChannelConfig(dim=1, drop_prob=1.0), 10, 3,
                              torch.ones(3, dtype=torch.bool), torch.device("cpu"),
                              torch.float32)
    everything_lost.send(torch.ones(10, 3, 1), torch.zeros(10, 3, 2), gen)
    assert not bool(everything_lost.delivered.any())


def test_noise_is_per_delivery_with_the_configured_std() -> None:
    n_env = 2000
    ch = Channel(ChannelConfig(dim=3, noise_std=0.5), n_env, 2, torch.ones(2, dtype=torch.bool),
                 torch.device("cpu"), torch.float32)
    msgs = torch.ones(n_env, 2, 3)
    ch.send(msgs, torch.zeros(n_env, 2, 2), torch.Generator().manual_seed(1))
    err = ch.inbox[:, 0, 1] - 1.0  # what agent 0 heard from agent 1
    assert abs(float(err.mean())) < 0.05
    assert abs(float(err.std()) - 0.5) < 0.03
    assert torch.equal(ch.inbox[:, 0, 0], torch.zeros(n_env, 3))  # never from itself


def test_cost_is_l1_per_sender_and_silent_agents_say_nothing() -> None:
    cfg = ChannelConfig(dim=2, cost=0.1)
    ch = Channel(cfg, 1, 3, torch.tensor([True, False, True]), torch.device("cpu"),
                 torch.float32)
    cost = ch.send(MSG, POS)
    assert torch.allclose(cost, torch.tensor([[0.1, 0.0, 0.6]]))  # |m|_1 = 1, (silent), 6
    assert not bool(ch.delivered[0, :, 1].any())  # agent 1 is silent


def test_clear_empties_only_the_masked_envs() -> None:
    cfg = ChannelConfig(dim=2, delay=1)
    ch = Channel(cfg, 2, 3, torch.ones(3, dtype=torch.bool), torch.device("cpu"),
                 torch.float32)
    ch.send(MSG.expand(2, -1, -1), POS.expand(2, -1, -1))
    ch.clear(torch.tensor([True, False]))
    ch.send(torch.zeros(2, 3, 2), POS.expand(2, -1, -1))
    assert torch.equal(ch.inbox[0], torch.zeros(3, 3, 2))
    assert torch.equal(ch.inbox[1, 0, 2], MSG[0, 2])


def test_others_flattens_in_agent_order() -> None:
    ch = channel()
    ch.send(MSG, POS)
    idx = torch.tensor([[1, 2], [0, 2], [0, 1]])
    flat = others(ch.inbox, idx)
    assert flat[0, 1].tolist() == [1.0, 0.0, 3.0, 3.0]  # agent 1 hears 0, then 2


def test_bad_channel_keys_are_named() -> None:
    with pytest.raises(ConfigError, match="channel.drop_prob"):
        arena.make("coordination/reference-v0", channel={"drop_prob": 2.0})
    with pytest.raises(ConfigError, match="unknown key 'rnage'"):
        arena.make("coordination/reference-v0", channel={"rnage": 1.0})


@pytest.mark.parametrize("continuous", [False, True])
def test_reference_actions_split_into_move_and_token(continuous: bool) -> None:
    env = arena.make("coordination/reference-v0", num_envs=2, continuous_actions=continuous)
    env.reset(seed=0)
    if continuous:
        act = torch.zeros(2, 2, 15)
        act[:, 0, 2] = 1.0  # agent 0 pushes +x
        act[:, 0, 5 + 7] = 1.0  # and says token 7
        act[:, 1, 5 + 3] = 0.5
    else:
        act = torch.tensor([[2 + 5 * 7, 0 + 5 * 3]] * 2)  # agent 0: +x, token 7; agent 1: 3
    x0 = env.world.agent_pos[:, 0, 0].clone()
    obs, *_ = env.step({"agent": act})
    heard_by_1 = obs["agent"][:, 1, -10:]
    heard_by_0 = obs["agent"][:, 0, -10:]
    assert heard_by_1.argmax(-1).tolist() == [7, 7]
    assert heard_by_0.argmax(-1).tolist() == [3, 3]
    # MPE: v = 5 * dt = 0.5 after one step, and the position moved by the old (zero) velocity
    assert torch.allclose(env.world.agent_vel[:, 0, 0], torch.full((2,), 0.5))
    assert torch.allclose(env.world.agent_pos[:, 0, 0], x0)


def test_channel_cost_enters_the_reward_and_resets_clear_messages() -> None:
    free = arena.make("coordination/speaker_listener-v0", num_envs=3, max_cycles=2)
    paid = arena.make("coordination/speaker_listener-v0", num_envs=3, max_cycles=2,
                      channel={"cost": 0.25})
    acts = {"speaker": torch.tensor([[0], [1], [2]]), "listener": torch.zeros(3, 1).long()}
    for env in (free, paid):
        env.reset(seed=4)
    _, r_free, *_ = free.step(acts)
    _, r_paid, *_ = paid.step(acts)
    assert torch.allclose(r_paid["speaker"], r_free["speaker"] - 0.25)  # one token each
    assert torch.allclose(r_paid["listener"], r_free["listener"])  # silent: pays nothing
    obs, *_ = paid.step(acts)  # the episode ends and the envs reset: nothing in flight
    assert torch.equal(obs["listener"][..., -3:], torch.zeros(3, 1, 3))


def test_silence_token_sends_nothing() -> None:
    env = arena.make("coordination/speaker_listener-v0", num_envs=2,
                     channel={"silence": True, "cost": 1.0})
    env.reset(seed=0)
    assert env.action_space("speaker").n == 4
    obs, rew, *_ = env.step({"speaker": torch.tensor([[0], [3]]),
                             "listener": torch.zeros(2, 1).long()})
    assert obs["listener"][0, 0, -3:].tolist() == [0.0, 0.0, 0.0]
    assert obs["listener"][1, 0, -3:].tolist() == [0.0, 0.0, 1.0]
    assert not bool(env.channel.delivered[0].any())  # type: ignore[union-attr]


def test_channel_state_is_checkpointed() -> None:
    env = arena.make("coordination/reference-v0", num_envs=2, channel={"delay": 1})
    env.reset(seed=0)
    env.step({"agent": torch.tensor([[5 * 4, 5 * 9]] * 2)})
    saved = env.state_dict()
    obs_a, *_ = env.step({"agent": torch.zeros(2, 2).long()})
    env.load_state_dict(saved)
    obs_b, *_ = env.step({"agent": torch.zeros(2, 2).long()})
    assert torch.equal(obs_a["agent"], obs_b["agent"])
    assert obs_a["agent"][0, 0, -10:].argmax().item() == 9  # delivered one step late


def test_force_moves_and_messages_have_their_own_bounds() -> None:
    from arena.core.actions import ActionError
    from envs.navigation.scouts import Scouts, ScoutsConfig

    class ForceScouts(Scouts):
        continuous_format = "force"

    env = arena.VecEnv(ForceScouts(ScoutsConfig(num_agents=2, continuous_actions=True)), 2)
    space = env.action_space("agent")
    assert space.shape == (2 + 4,)  # a force and a 4-float message
    assert space.low.tolist() == [-1, -1, 0, 0, 0, 0]  # type: ignore[attr-defined]
    env.reset(seed=0)
    act = torch.zeros(2, 2, 6)
    act[..., 0] = -0.5  # a move to -x is legal
    env.step({"agent": act})
    act[..., 3] = -0.5  # a negative message is not
    with pytest.raises(ActionError, match="per-dimension bounds"):
        env.step({"agent": act})
