"""Time to a training return of -12 for IPPO in JAX on JaxMARL's `MPE_simple_spread_v3`,
CPU (docs/training.md, "Time to a return of -12").

JaxMARL's IPPO baseline is a script in its repository, not in its pip package, so this file is
an IPPO written for the measurement, in JAX, with JaxMARL's env and the hyperparameters of
JaxMARL's published `baselines/IPPO/config/ippo_ff_mpe.yaml`: 16 envs x 128 steps per update, 4
epochs of 4 minibatches, lr 2.5e-4 annealed linearly over 10M steps, clip 0.2, entropy 0.01,
value coefficient 0.5, gradient norm 0.5, GAE(0.99, 0.95), separate 64x64 tanh actor and
critic shared by the agents, each agent its own observation.

Each update (rollout + optimization) is one jitted call, timed with the first call's compiling
included. The logged return is the one Arena logs: the per-agent return of the episodes that
ended during the update's rollout, sampled actions; "reached" is the first update whose mean
of the last 5 logged values is >= -12.

Needs its own environment (JAX beside the pinned torch stack is not needed by Arena):
    python -m venv .venv-jax && .venv-jax/bin/pip install "jax[cpu]" jaxmarl flax optax
    .venv-jax/bin/python docs/results/seeds/jaxmarl_time_to_threshold.py 666
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple

import flax.linen as nn
import jax
import jax.numpy as jnp
import jaxmarl
import numpy as np
import optax

CFG = {"lr": 2.5e-4, "num_envs": 16, "num_steps": 128, "total_steps": 10_000_000,
       "epochs": 4, "minibatches": 4, "gamma": 0.99, "gae_lambda": 0.95, "clip": 0.2,
       "ent_coef": 0.01, "vf_coef": 0.5, "max_grad_norm": 0.5, "seed": 0}
THRESHOLD, WINDOW = -12.0, 5


class ActorCritic(nn.Module):
    actions: int

    @nn.compact
    def __call__(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        def dense(n: int, gain: float) -> nn.Dense:
            return nn.Dense(n, kernel_init=nn.initializers.orthogonal(gain),
                            bias_init=nn.initializers.zeros)
        a = jnp.tanh(dense(64, np.sqrt(2))(x))
        a = jnp.tanh(dense(64, np.sqrt(2))(a))
        logits = dense(self.actions, 0.01)(a)
        c = jnp.tanh(dense(64, np.sqrt(2))(x))
        c = jnp.tanh(dense(64, np.sqrt(2))(c))
        return logits, dense(1, 1.0)(c).squeeze(-1)


class Batch(NamedTuple):
    obs: jax.Array
    action: jax.Array
    logp: jax.Array
    value: jax.Array
    reward: jax.Array
    done: jax.Array


def make_update(env: Any, net: ActorCritic, tx: optax.GradientTransformation) -> Any:
    agents, n_envs, n_steps = env.agents, CFG["num_envs"], CFG["num_steps"]
    n = len(agents)

    def stack(d: dict[str, jax.Array]) -> jax.Array:  # {agent: (E, ...)} -> (E * N, ...)
        x = jnp.stack([d[a] for a in agents], axis=1)
        return x.reshape(n_envs * n, *x.shape[2:])

    def env_step(carry: Any, _: Any) -> tuple[Any, tuple[Batch, jax.Array, jax.Array]]:
        params, state, obs, ep_ret, key = carry
        key, k_act, k_env = jax.random.split(key, 3)
        logits, value = net.apply(params, obs)
        action = jax.random.categorical(k_act, logits)
        logp = jax.nn.log_softmax(logits)[jnp.arange(action.shape[0]), action]
        acts = {a: action.reshape(n_envs, n)[:, i] for i, a in enumerate(agents)}
        next_obs, state, reward, done, _ = jax.vmap(env.step)(
            jax.random.split(k_env, n_envs), state, acts)
        r, d = stack(reward), stack({a: done[a] for a in agents})
        ep_ret = ep_ret + r.reshape(n_envs, n).mean(1)
        ended = done["__all__"]
        finished = (jnp.where(ended, ep_ret, 0.0).sum(), ended.sum())
        ep_ret = jnp.where(ended, 0.0, ep_ret)
        batch = Batch(obs, action, logp, value, r, d.astype(jnp.float32))
        return (params, state, stack(next_obs), ep_ret, key), (batch, *finished)

    def gae(batch: Batch, last_value: jax.Array) -> tuple[jax.Array, jax.Array]:
        def back(carry: Any, t: Batch) -> tuple[Any, jax.Array]:
            adv, next_value = carry
            delta = t.reward + CFG["gamma"] * next_value * (1 - t.done) - t.value
            adv = delta + CFG["gamma"] * CFG["gae_lambda"] * (1 - t.done) * adv
            return (adv, t.value), adv
        _, adv = jax.lax.scan(back, (jnp.zeros_like(last_value), last_value), batch,
                              reverse=True)
        return adv, adv + batch.value

    def loss(params: Any, b: Batch, adv: jax.Array, target: jax.Array) -> jax.Array:
        logits, value = net.apply(params, b.obs)
        logp_all = jax.nn.log_softmax(logits)
        logp = jnp.take_along_axis(logp_all, b.action[:, None], 1).squeeze(1)
        v_clip = b.value + jnp.clip(value - b.value, -CFG["clip"], CFG["clip"])
        v_loss = 0.5 * jnp.maximum((value - target) ** 2, (v_clip - target) ** 2).mean()
        ratio = jnp.exp(logp - b.logp)
        adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        pg = -jnp.minimum(ratio * adv, jnp.clip(ratio, 1 - CFG["clip"], 1 + CFG["clip"]) * adv)
        entropy = -(jnp.exp(logp_all) * logp_all).sum(-1).mean()
        return pg.mean() + CFG["vf_coef"] * v_loss - CFG["ent_coef"] * entropy

    def update(carry: Any, opt_state: Any) -> tuple[Any, Any, jax.Array]:
        carry, (batch, ret_sum, ret_count) = jax.lax.scan(env_step, carry, None, n_steps)
        params, state, obs, ep_ret, key = carry
        _, last_value = net.apply(params, obs)
        adv, target = gae(batch, last_value)
        flat = jax.tree_util.tree_map(lambda x: x.reshape(-1, *x.shape[2:]),
                                      (batch, adv, target))
        size = n_steps * n_envs * n

        def epoch(c: Any, k: jax.Array) -> tuple[Any, None]:
            p, o = c
            perm = jax.random.permutation(k, size).reshape(CFG["minibatches"], -1)

            def minibatch(c2: Any, idx: jax.Array) -> tuple[Any, None]:
                p2, o2 = c2
                g = jax.grad(loss)(p2, *jax.tree_util.tree_map(lambda x: x[idx], flat))
                upd, o2 = tx.update(g, o2, p2)
                return (optax.apply_updates(p2, upd), o2), None
            return jax.lax.scan(minibatch, (p, o), perm)[0], None

        key, k = jax.random.split(key)
        (params, opt_state), _ = jax.lax.scan(epoch, (params, opt_state),
                                              jax.random.split(k, CFG["epochs"]))
        mean_ret = ret_sum.sum() / jnp.maximum(ret_count.sum(), 1)
        stats = jnp.stack([mean_ret, ret_count.sum()])
        return (params, state, obs, ep_ret, key), opt_state, stats

    return jax.jit(update), stack


def main(budget_s: float, out: Path) -> None:
    env = jaxmarl.make("MPE_simple_spread_v3")
    n_actions = int(env.action_space(env.agents[0]).n)
    net = ActorCritic(n_actions)
    updates = CFG["total_steps"] // (CFG["num_envs"] * CFG["num_steps"])
    schedule = optax.linear_schedule(CFG["lr"], 0.0,
                                     updates * CFG["epochs"] * CFG["minibatches"])
    tx = optax.chain(optax.clip_by_global_norm(CFG["max_grad_norm"]),
                     optax.adam(schedule, eps=1e-5))
    key = jax.random.PRNGKey(CFG["seed"])
    key, k_init, k_reset = jax.random.split(key, 3)
    obs_dim = env.observation_space(env.agents[0]).shape[0]
    params = net.init(k_init, jnp.zeros((1, obs_dim)))
    opt_state = tx.init(params)
    step, stack = make_update(env, net, tx)
    obs, state = jax.vmap(env.reset)(jax.random.split(k_reset, CFG["num_envs"]))
    carry = (params, state, stack(obs), jnp.zeros(CFG["num_envs"]), key)
    log, reached, start = [], None, time.perf_counter()
    per_update = CFG["num_envs"] * CFG["num_steps"]
    for u in range(updates):
        carry, opt_state, stats = step(carry, opt_state)
        ret, count = (float(x) for x in jax.device_get(stats))
        elapsed = time.perf_counter() - start
        if count > 0:
            log.append({"env_steps": (u + 1) * per_update, "elapsed_s": elapsed, "return": ret})
            window = [r["return"] for r in log[-WINDOW:]]
            if reached is None and len(window) == WINDOW and np.mean(window) >= THRESHOLD:
                reached = log[-1]
        if u == 0:
            first_call_s = elapsed
        if elapsed >= budget_s:
            break
    result = {"trainer": "IPPO in JAX (this script), JaxMARL 0.2.0 MPE_simple_spread_v3, CPU",
              "jax": jax.__version__, "config": CFG, "threshold": THRESHOLD,
              "budget_s": budget_s, "first_update_s_including_compile": first_call_s,
              "reached": reached, "end": log[-1] if log else None,
              "last_5_mean": float(np.mean([r["return"] for r in log[-WINDOW:]])),
              "log": log}
    out.write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "log"}, indent=1))


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 666.0,
         Path(sys.argv[2]) if len(sys.argv) > 2
         else Path(__file__).with_name("jaxmarl_time_to_threshold.json"))
