"""The flow-matching action head: the chain likelihood against a hand computation, the noise
injection, coordination across agents, and flow matching keeping two modes a Gaussian averages."""

from __future__ import annotations

import math

import gymnasium
import pytest
import torch

from agents.actor_critic import Actor
from agents.flow import FlowHead
from arena.interfaces.policy_config import PolicyConfig


def head(steps: int = 2, coordinated: bool = False, act_dim: int = 2) -> FlowHead:
    torch.manual_seed(0)
    cfg = PolicyConfig(head="flow", flow_steps=steps, flow_hidden=16,
                       flow_coordinated=coordinated)
    return FlowHead(8, act_dim, cfg)


def test_chain_log_prob_is_a_product_of_gaussians() -> None:
    fh = head(steps=3)
    h = torch.randn(5, 2, 8)
    dist = fh(h)
    chain = dist.sample()
    assert chain.shape == (5, 2, 4, 2)
    expected = torch.zeros(5, 2)
    sigma = fh.sigma()
    for k in range(3):  # hand: each step is N(a_k + v(a_k, k/K) / K, sigma^2) per dimension
        mean = chain[..., k, :] + fh.velocity(h, chain[..., k, :], k / 3) / 3
        z = (chain[..., k + 1, :] - mean) / sigma
        expected += (-0.5 * z**2 - sigma.log() - 0.5 * math.log(2 * math.pi)).sum(-1)
    assert torch.allclose(dist.log_prob(chain), expected, atol=1e-5)


def test_sampling_injects_noise_of_the_learned_std() -> None:
    fh = head(steps=1, act_dim=1)
    with torch.no_grad():
        fh.out.weight.zero_()
        fh.out.bias.zero_()  # v = 0: a_1 = a_0 + sigma * eps
        fh.log_sigma.fill_(math.log(0.4))
    chain = fh(torch.zeros(20000, 1, 8)).sample()
    step = chain[..., 1, 0] - chain[..., 0, 0]
    assert step.std().item() == pytest.approx(0.4, rel=0.03)
    ode = fh(torch.zeros(4, 1, 8)).ode()
    assert torch.equal(ode[..., 0, :], ode[..., 1, :])  # no injected noise in the greedy flow
    entropy = fh(torch.zeros(3, 1, 8)).entropy()
    assert torch.allclose(entropy, torch.full((3, 1), 0.5 * math.log(2 * math.pi * math.e
                                                                     * 0.16)))


def test_coordinated_field_couples_the_agents() -> None:
    """Each agent's step depends on the other agents' points only when coordinated."""
    for coordinated in (False, True):
        fh = head(coordinated=coordinated)
        h = torch.randn(1, 3, 8)
        a = torch.randn(1, 3, 2)
        b = a.clone()
        b[0, 2] += 1.0  # move agent 2 only
        va, vb = fh.velocity(h, a, 0.5), fh.velocity(h, b, 0.5)
        assert torch.allclose(va[0, :2], vb[0, :2]) != coordinated


def test_flow_matching_keeps_two_modes_that_a_gaussian_averages() -> None:
    """Fit both heads by likelihood / flow matching to actions that are -0.8 or +0.8 with equal
    odds: flow samples land near both modes, the Gaussian's mass sits in the middle."""
    torch.manual_seed(0)
    features = torch.zeros(256, 1, 8)
    fh = head(steps=4, act_dim=1)
    gauss = Actor(8, [("obs", 1, 8)], gymnasium.spaces.Box(-1, 1, (1,)), 1,
                  PolicyConfig(hidden_sizes=(16,))).head
    opt = torch.optim.Adam([*fh.parameters(), *gauss.parameters()], lr=5e-3)
    for _ in range(1000):
        target = torch.where(torch.rand(256, 1, 1) < 0.5, -0.8, 0.8)
        nll = -gauss.log_prob(gauss(features.new_ones(256, 1, 16)), target).mean()
        loss = fh.flow_matching_loss(features, target).mean() + nll
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        flow = fh(torch.zeros(2000, 1, 8)).ode()[..., -1, 0]
        normal = gauss(torch.ones(2000, 1, 16)).sample()[..., 0]
    near_modes = ((flow.abs() - 0.8).abs() < 0.2).float().mean()
    assert near_modes > 0.8 and (flow > 0).float().mean().item() == pytest.approx(0.5, abs=0.1)
    middle_flow, middle_gauss = ((x.abs() < 0.4).float().mean() for x in (flow, normal))
    assert middle_gauss > 0.3 and middle_flow < 0.2  # the Gaussian covers the middle


def test_flow_actor_decides_chains_and_acts_with_the_last_point() -> None:
    cfg = PolicyConfig(head="flow", flow_steps=2, hidden_sizes=(16,))
    actor = Actor(6, [("obs", 1, 6)], gymnasium.spaces.Box(-1, 1, (2,)), 3, cfg)
    d = actor.decide(torch.randn(4, 3, 6))
    assert d.actions.shape == (4, 3, 3, 2) and d.logp.shape == (4, 3)
    assert torch.equal(d.env_actions, d.actions[..., -1, :])
    with pytest.raises(ValueError, match="needs continuous actions"):
        Actor(6, [("obs", 1, 6)], gymnasium.spaces.Discrete(5), 3, cfg)
