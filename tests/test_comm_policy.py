"""policy.comm: learned message passing inside a team's policy, against hand-computed cases."""

from __future__ import annotations

from pathlib import Path

import gymnasium
import pytest
import torch

from agents.actor_critic import Actor
from agents.comm import TeamComm
from arena.core.typed import ConfigError, build
from arena.interfaces.policy_config import CommConfig, PolicyConfig
from arena.training.run_config import load_config
from arena.training.runs import load_policy
from arena.training.trainer import Trainer

LAYOUT = [("obs", 1, -1)]


def actor(kind: str, n: int = 5, **kwargs: float) -> Actor:
    torch.manual_seed(0)
    cfg = PolicyConfig(comm=CommConfig(kind=kind, **kwargs))  # type: ignore[arg-type]
    return Actor(8, LAYOUT, gymnasium.spaces.Discrete(5), n, cfg)


def test_uniform_attention_averages_the_others_values() -> None:
    """With zero queries and keys, every receiver weighs the others equally: its message is
    the mean of their values."""
    comm = TeamComm(4, 3, CommConfig(kind="tarmac", dim=2))
    with torch.no_grad():
        qkv = comm.qkv[0]
        qkv.weight.zero_()
        qkv.bias.zero_()
        qkv.weight[4:6, :2] = torch.eye(2)  # value = the first two features (after the norm)
        comm.out[0].weight.copy_(torch.cat([torch.eye(2), torch.zeros(2, 2)]))
        comm.out[0].bias.zero_()
    h = torch.tensor([[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]])
    v = comm.norm[0](h)[..., :2]
    out = comm(h)
    for i in range(3):
        others = [j for j in range(3) if j != i]
        want = h[0, i].clone()
        want[:2] += v[0, others].mean(0)
        assert torch.allclose(out[0, i], want, atol=1e-6), i
    assert torch.allclose(comm.last_attention[0], torch.tensor(  # type: ignore[index]
        [[0.0, 0.5, 0.5], [0.5, 0.0, 0.5], [0.5, 0.5, 0.0]]))


def test_tarmac_messages_carry_gradients_between_agents() -> None:
    a = actor("tarmac")
    obs = torch.randn(4, 5, 8, requires_grad=True)
    grad = torch.autograd.grad(a(obs).logits[:, 0].sum(), obs)[0]
    assert all(float(grad[:, j].abs().sum()) > 0 for j in range(5))  # every sender reaches 0


def test_tarmac_is_permutation_equivariant_and_count_invariant() -> None:
    a = actor("tarmac")
    obs = torch.randn(3, 5, 8)
    perm = torch.tensor([2, 0, 4, 1, 3])
    assert torch.allclose(a(obs).logits[:, perm], a(obs[:, perm]).logits, atol=1e-5)
    assert a(torch.randn(3, 7, 8)).logits.shape == (3, 7, 5)  # another team size


def test_graph_listens_to_the_budget_and_nobody_else() -> None:
    a = actor("graph", n=6, edges=0.4)  # ceil(0.4 * 5) = 2 senders per receiver
    assert a.comm is not None
    adj = a.comm.adjacency().detach()
    assert adj.sum(1).tolist() == [2.0] * 6 and float(adj.diagonal().abs().sum()) == 0
    obs = torch.randn(4, 6, 8, requires_grad=True)
    grad = torch.autograd.grad(a(obs).logits[:, 0].sum(), obs)[0]
    heard = {j for j in range(1, 6) if float(grad[:, j].abs().sum()) > 0}
    assert heard == {int(j) for j in adj[0].nonzero().flatten()}


def test_graph_logits_learn_from_the_policy_loss() -> None:
    """Straight-through: the loss reaches every edge's logit, kept or not."""
    a = actor("graph", n=4, edges=0.34)  # one sender each
    assert a.comm is not None and a.comm.edge_logits is not None
    obs = torch.randn(8, 4, 8)
    a(obs).logits.square().sum().backward()
    grad = a.comm.edge_logits.grad
    assert grad is not None
    off = ~torch.eye(4, dtype=torch.bool)
    assert bool((grad[off] != 0).all()) and bool((grad[~off] == 0).all())


def test_graph_needs_its_team_size() -> None:
    with pytest.raises(ValueError, match="graph of 6 agents"):
        actor("graph", n=6)(torch.randn(2, 4, 8))


def test_comm_config_errors_name_the_key() -> None:
    with pytest.raises(ConfigError, match="comm.kind"):
        build(PolicyConfig, {"comm": {"kind": "commnet"}}, "run.yaml: policy")
    with pytest.raises(ConfigError, match="comm.edges"):
        build(PolicyConfig, {"comm": {"kind": "graph", "edges": 0.0}}, "run.yaml: policy")


@pytest.mark.parametrize("backbone", ["mlp", "attention", "ssm", "gru"])
@pytest.mark.parametrize("kind", ["tarmac", "graph"])
def test_comm_trains_on_every_backbone(tmp_path: Path, backbone: str, kind: str) -> None:
    """A tiny run per backbone: the comm module is in the actor, trains, and is saved and
    restored with it."""
    cfg = load_config(None, overrides={
        "env.id": "navigation/scouts-v0", "env.num_envs": 8, "rollout_steps": 10,
        "env.kwargs": {"num_agents": 3, "num_landmarks": 2}, "total_steps": 8 * 10 * 2,
        "log.progress": False, "log.tensorboard": False, "eval.episodes": 4,
        "eval.gif": False, "policy.backbone": backbone, "policy.embed_dim": 16,
        "policy.num_heads": 2, "policy.hidden_sizes": [16, 16], "policy.comm.kind": kind,
        "algo.epochs": 1, "log.run_dir": str(tmp_path / "run")})
    trainer = Trainer(cfg)
    actor = trainer.learners["agent"].actor()
    assert isinstance(actor.comm, TeamComm)  # type: ignore[attr-defined]
    before = [p.clone() for p in actor.comm.parameters()]  # type: ignore[attr-defined]
    trainer.train()
    after = list(actor.comm.parameters())  # type: ignore[attr-defined]
    assert any(not torch.equal(a, b) for a, b in zip(after, before, strict=True))
    loaded = load_policy(tmp_path / "run").actors["agent"]
    for a, b in zip(loaded.comm.parameters(), after, strict=True):  # type: ignore[attr-defined]
        assert torch.equal(a, b)
