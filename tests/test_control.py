"""Control per agent slot (arena/interfaces/control.py): each controller acts once per step on
the envs where it owns slots, its actions land on exactly its slots, the learner's active mask
is its own slots, recurrent controllers keep a memory per slot, and bad assignments are named."""

from __future__ import annotations

import pytest
import torch

from arena.interfaces.control import LEARNER, NOBODY, TeamControl
from arena.interfaces.episodes import EpisodeTracker

B, N = 4, 3


class Constant:
    """A controller that answers ``value`` for every slot and records its calls."""

    def __init__(self, value: int, memory_size: int = 0) -> None:
        self.value, self.memory_size, self.name = value, memory_size, f"constant {value}"
        self.calls: list[tuple[int, torch.Tensor | None]] = []

    def act(self, env: object, obs: torch.Tensor, rows: torch.Tensor | None,
            memory: torch.Tensor | None, starts: torch.Tensor,
            action_mask: torch.Tensor | None = None
            ) -> tuple[torch.Tensor, torch.Tensor | None]:
        self.calls.append((obs.shape[0], None if rows is None else rows.clone()))
        actions = torch.full(obs.shape[:2], self.value, dtype=torch.long)
        return actions, None if memory is None else memory + 1.0


def control(learner: bool = True) -> TeamControl:
    return TeamControl("agent", B, N, torch.device("cpu"), has_learner=learner)


def test_actions_land_on_exactly_the_owned_slots() -> None:
    ctl = control()
    a, b = Constant(7), Constant(9)
    assert (ctl.add(a), ctl.add(b)) == (1, 2)
    owner = torch.tensor([[0, 0, 0], [1, 0, 2], [2, 2, 2], [0, -1, 1]])
    ctl.assign(owner)
    obs = torch.zeros(B, N, 5)
    learner = torch.full((B, N), 3, dtype=torch.long)
    out = ctl.act(None, obs, learner, torch.zeros(B, dtype=torch.bool))  # type: ignore[arg-type]
    expected = torch.tensor([[3, 3, 3], [7, 3, 9], [9, 9, 9], [3, 3, 7]])
    assert torch.equal(out, expected)  # NOBODY keeps the learner's (ignored) actions
    assert torch.equal(learner, torch.full((B, N), 3))  # the learner's tensor is not written
    # each controller acted once, on the envs where it owns a slot
    assert [(n, r.tolist()) for n, r in a.calls] == [(2, [1, 3])]
    assert [(n, r.tolist()) for n, r in b.calls] == [(2, [1, 2])]
    active = torch.tensor([[1, 1, 1], [1, 1, 1], [1, 1, 1], [0, 1, 1]], dtype=torch.bool)
    assert torch.equal(ctl.learner_slots(active), (owner == LEARNER) & active)


def test_a_controller_that_owns_every_slot_acts_on_the_whole_batch() -> None:
    ctl = control(learner=False)
    frozen = Constant(4)
    ctl.assign(torch.full((B,), ctl.add(frozen)))
    out = ctl.act(None, torch.zeros(B, N, 2), None,  # type: ignore[arg-type]
                  torch.zeros(B, dtype=torch.bool))
    assert torch.equal(out, torch.full((B, N), 4)) and frozen.calls == [(B, None)]


def test_slots_without_learner_or_owner_get_zeros() -> None:
    ctl = control(learner=False)
    k = ctl.add(Constant(2))
    ctl.assign(torch.tensor([k, NOBODY, k, NOBODY]))
    out = ctl.act(None, torch.zeros(B, N, 2), None,  # type: ignore[arg-type]
                  torch.zeros(B, dtype=torch.bool))
    assert out[:, 0].tolist() == [2, 0, 2, 0]


def test_recurrent_controllers_keep_memory_per_slot() -> None:
    ctl = control()
    k = ctl.add(Constant(1, memory_size=2))
    ctl.assign(torch.tensor([0, k, 0, k]))
    for _ in range(3):
        ctl.act(None, torch.zeros(B, N, 2), torch.zeros(B, N, dtype=torch.long),  # type: ignore[arg-type]
                torch.zeros(B, dtype=torch.bool))
    assert ctl.memory[k][:, :, 0].tolist() == [[0] * N, [3] * N, [0] * N, [3] * N]
    restored = control()
    restored.add(Constant(1, memory_size=2))
    restored.load_state_dict(ctl.state_dict())
    assert torch.equal(restored.memory[k], ctl.memory[k])


def test_bad_assignments_are_named() -> None:
    ctl = control(learner=False)
    ctl.add(Constant(0))
    with pytest.raises(ValueError, match="team 'agent': owner has shape"):
        ctl.assign(torch.zeros(B, N + 1, dtype=torch.long))
    with pytest.raises(ValueError, match=r"owner indices must be -1 \(nobody\), or 1\.\.1"):
        ctl.assign(torch.zeros(B, dtype=torch.long))  # 0: this team has no learner
    with pytest.raises(ValueError, match="no learner and no controller owns a slot"):
        ctl.assign(torch.full((B,), NOBODY))
        ctl.act(None, torch.zeros(B, N, 2), None,  # type: ignore[arg-type]
                torch.zeros(B, dtype=torch.bool))


def test_the_trainer_runs_frozen_teams_and_populations_as_assignments(tmp_path: object) -> None:
    from arena.training.frozen import FrozenPolicy
    from arena.training.population import Member
    from arena.training.run_config import load_config
    from arena.training.trainer import Trainer

    base = {"env.id": "attack_defense/breach-v0", "env.num_envs": 8, "rollout_steps": 5,
            "log.progress": False, "log.tensorboard": False, "policy.hidden_sizes": [8],
            "log.run_dir": f"{tmp_path}/a"}
    frozen = Trainer(load_config(None, overrides={**base, "teams": {
        "attacker": {"frozen": "scripted"}}}))
    ctl = frozen.collector.control["attacker"]
    assert not ctl.has_learner and isinstance(ctl.controllers[0], FrozenPolicy)
    assert bool((ctl.owner == 1).all()) and "attacker" not in frozen.collector.rollouts
    pop = Trainer(load_config(None, overrides={**base, "log.run_dir": f"{tmp_path}/b",
                                               "coevolution.mode": "population",
                                               "coevolution.population_size": 2}))
    ctl = pop.collector.control["defender"]
    assert all(isinstance(c, Member) for c in ctl.controllers) and len(ctl.controllers) == 3
    assert torch.equal(ctl.owner[:, 0], pop.coevo.controller["defender"] + 1)
    assert bool((ctl.owner[4:] == LEARNER).all()) and bool((ctl.owner[:4] > 0).all())
    pop.collector.collect(EpisodeTracker())
    active = pop.collector.rollouts["defender"].active
    assert active[:, :4].sum() == 0 and active[:, 4:].sum() > 0
