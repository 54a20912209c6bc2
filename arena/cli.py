"""The ``arena`` command: ``envs``, ``demo``, ``train``, ``attack``, ``eval``, ``bench``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from arena.core import registry
from arena.training.run_config import ATTACK_KINDS, RunConfig


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1 (counts of episodes, steps, envs...)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``key=value`` pairs, values parsed as YAML scalars (``N=5``, ``continuous_actions=true``)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"error: expected key=value, got {item!r}")
        out[key] = yaml.safe_load(value)
    return out


def cmd_envs(args: argparse.Namespace) -> int:
    """List registered envs with their teams, spaces and arguments."""
    rows: list[dict[str, Any]] = []
    for env_id in registry.list_envs():
        s = registry.spec(env_id)
        env = registry.make(env_id, num_envs=1)
        teams: dict[str, dict[str, Any]] = {
            t: {"agents": len(n), "observation": str(env.observation_space(t)),
                "action": str(env.action_space(t))}
            for t, n in env.teams.items()
        }
        rows.append({"id": env_id, "description": s.description, "teams": teams,
                     "arguments": s.defaults()})
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        print(f"{row['id']}: {row['description']}")
        for team, t in row["teams"].items():
            print(f"  team {team!r} x{t['agents']}: obs {t['observation']}, action {t['action']}")
        args_text = ", ".join(f"{k}={v!r}" for k, v in row["arguments"].items())
        print(f"  arguments: {args_text}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Play episodes with the scripted or a random policy; print metrics; write a GIF."""
    from arena.core.render import write_gif

    env = registry.make(args.env_id, num_envs=1, auto_reset=False,
                        **parse_overrides(args.overrides))
    frames = []
    for episode in range(args.episodes):
        env.reset(seed=args.seed + episode)
        frames += [env.render(0)] if args.gif else []
        done = False
        while not done:
            act = env.sample_actions() if args.policy == "random" else env.scripted_actions()
            _, _, _, _, info = env.step(act)
            frames += [env.render(0)] if args.gif else []
            done = bool(info["done"][0])
        returns = {t: round(float(r[0].mean()), 3) for t, r in info["episode_return"].items()}
        metrics = {k: round(float(v[0]), 3) for k, v in info["metrics"].items()}
        print(f"episode {episode + 1}: length {int(info['episode_length'][0])}, "
              f"mean return per agent {returns}, metrics {metrics}")
    if args.gif:
        print(f"wrote {write_gif(frames, args.gif)}")
    return 0


def cmd_profile(args: argparse.Namespace) -> int:
    """Time of each phase of a training iteration."""
    import tempfile

    from arena.tools.profile import profile_training
    from arena.training import distributed
    from arena.training.run_config import load_config

    with tempfile.TemporaryDirectory() as tmp:
        cfg = load_config(args.config, parse_overrides(args.overrides))
        cfg.log.run_dir, cfg.log.tensorboard = tmp, False
        result = profile_training(cfg, args.iterations)
    distributed.shutdown()
    if distributed.launched() and not distributed.is_main_process():
        distributed.exit_worker()
    print(result.table())
    if args.json:
        with open(args.json, "a") as f:
            f.write(json.dumps({"config": args.config, "overrides": args.overrides,
                                **result.__dict__}) + "\n")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Env-steps per second of simple_spread, with peers side by side."""
    from arena.core.allocator import keep_freed_memory
    from arena.tools import bench_env as bench

    if not args.malloc_defaults and keep_freed_memory():
        print("allocator: freed memory kept for reuse (glibc mallopt), for every row")
    if args.sequence or args.heads:
        return _bench_models(args)
    if args.games:
        results = bench.run_games(args.num_envs, args.steps, args.device)
        print(bench.game_table(results))
        if args.json:
            with open(args.json, "w") as f:
                json.dump([r.__dict__ for r in results], f, indent=2)
        return 0
    if args.training:
        from arena.tools.bench_training import run_training_bench, training_table

        results = run_training_bench(args.num_envs, args.iterations, args.peers, args.device,
                                     tuple(args.precision), not args.malloc_defaults)
        print(training_table(results))
        if args.json:
            with open(args.json, "w") as f:
                json.dump([r.__dict__ for r in results], f, indent=2)
        return 0
    if args.peers:
        missing = [k for k, ok in bench.peers_available().items() if not ok]
        if missing:
            print(f"note: peers not installed: {missing} (pip install 'marl-arena[peers]')")
    results = bench.run(args.num_envs, args.steps, args.peers, args.compile, args.device,
                        args.pymunk, args.continuous, args.action_pool)
    text = bench.table(results)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump([r.__dict__ for r in results], f, indent=2)
    return 0


def _bench_models(args: argparse.Namespace) -> int:
    """``--sequence``: SSM vs GRU training steps vs sequence length; ``--heads``: Gaussian vs
    flow-head decision cost (the policy code lives in ``agents``, loaded only here)."""
    from arena.tools.bench_models import head_bench, model_table, sequence_bench

    results = []
    if args.sequence:
        seq = sequence_bench(args.lengths, args.batch, args.device)
        print(f"training step, {args.batch} sequences ({args.device}):")
        print(model_table(seq, "sequence length"))
        results += seq
    if args.heads:
        heads = head_bench(args.flow_steps, args.agents, args.device)
        print(f"one step's actions for {args.agents} agents ({args.device}):")
        print(model_table(heads, "agents"))
        results += heads
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{**r.__dict__, "device": args.device} for r in results], f, indent=2)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Train from a YAML config (or resume a run); ``seeds``: one replica per seed."""
    from arena.training import distributed

    if args.config and "=" in args.config:  # `arena train --resume DIR key=value`
        args.overrides, args.config = [args.config, *args.overrides], None
    cfg = _train_config(args)
    if cfg.seeds:
        from arena.training.seeds import SeedGroup

        group = SeedGroup(cfg, resume=bool(args.resume))
        per_seed = group.train()
        if len(cfg.seeds) > 1:
            _group_report(cfg, group.final_metric())
        print(f"run directory: {cfg.run_dir} (one per seed: seed_<seed>)")
        for seed, values in per_seed.items():
            print(f"  {seed}: " + ", ".join(f"{k} {v:.4g}" for k, v in values.items()
                                           if k.startswith("eval/return")))
        return 0
    if cfg.baseline:
        if args.resume:
            raise ValueError("baseline runs do not resume; start a new run")
        if distributed.launched():
            raise ValueError("baseline runs are single-process; run them without torchrun")
        from arena.interfaces.algorithms import baseline_spec

        summary = baseline_spec(cfg.baseline["name"]).train(cfg)
    else:
        from arena.training.trainer import Trainer

        trainer = Trainer(cfg, resume=bool(args.resume))
        summary = trainer.train()
        distributed.shutdown()
        if not trainer.worker.is_main:
            distributed.exit_worker()
    print(f"run directory: {cfg.run_dir}")
    for key, value in summary.items():
        print(f"  {key}: {value:.4g}")
    return 0


def _group_report(cfg: RunConfig, metric: str) -> None:
    """A multi-seed run's replicas aggregated (``arena report``): printed, and written to
    ``report.json`` in the group's directory."""
    from arena.evaluation.aggregate import aggregate
    from arena.training.runs import seed_dir
    from arena.training.seeds import REPORT

    report = aggregate({cfg.name: [seed_dir(cfg.run_dir, s) for s in cfg.seeds]}, metric)
    report.write_json(cfg.run_dir / REPORT)
    print(report.table())


def _train_config(args: argparse.Namespace) -> RunConfig:
    """The run config of ``arena train``: a config file with overrides, or a run to resume
    (a single run, or a multi-seed group); ``--seeds`` replaces ``seeds``."""
    from arena.training.run_config import load_config
    from arena.training.runs import is_group, resume_config, seed_dir
    from arena.training.seeds import group_config

    overrides = parse_overrides(args.overrides)
    if args.seeds:
        overrides["seeds"] = list(args.seeds)
    if args.resume:
        if is_group(args.resume):
            return group_config(args.resume, overrides)
        return resume_config(args.resume, overrides)
    if not args.config:
        raise ValueError("arena train needs a CONFIG file or --resume RUN_DIR")
    cfg = load_config(args.config, overrides)
    if args.run_dir:
        cfg.log.run_dir = args.run_dir
    taken = [seed_dir(cfg.run_dir, s) for s in cfg.seeds] or [cfg.run_dir]
    for path in taken:
        if (path / "checkpoints").exists():
            raise ValueError(f"{path} already holds a run; resume it with `arena train "
                             f"--resume {cfg.run_dir}` or pick another --run-dir")
    return cfg


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluate a trained run on its env or another one."""
    from arena.evaluation.run_eval import evaluate_run

    if args.attackers or args.defenders:
        return cmd_crossplay(args)
    if args.vs:
        return cmd_seats(args)
    if not args.run:
        raise ValueError("arena eval needs a RUN (or --attackers ... --defenders ...)")
    if _is_attack_run(args.run):
        return cmd_attack_eval(args)
    if args.victim:
        raise ValueError(f"--victim is for attack runs (arena attack); {args.run} is not one")
    reports = [evaluate_run(args.run, episodes=args.episodes, env_id=args.env,
                            overrides=parse_overrides(args.overrides),
                            deterministic=not args.sample, seed=args.seed, gif=args.gif,
                            external=args.external, backend=backend)
               for backend in dict.fromkeys(args.backend)]
    if len(reports) == 1:
        print(reports[0].table())
    else:
        from arena.evaluation.report import side_by_side

        print(side_by_side(reports))
    if args.json:
        if len(reports) == 1:
            reports[0].write_json(args.json)
        else:  # a list: one report per backend
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps([r.__dict__ for r in reports], indent=2))
        print(f"wrote {args.json}")
    return 0


def _is_attack_run(run: str) -> bool:
    """Whether ``run`` is a run directory of an attacker (``attack.kind`` in its config), or a
    takeover attacker of a robust run's population (``population/attacker_<k>.pt``)."""
    from arena.evaluation.attacks import is_takeover_member
    from arena.training.run_config import load_config

    if is_takeover_member(run):
        return True
    config = Path(run) / "config.yaml"
    return config.is_file() and bool(load_config(config).attack.kind)


def cmd_attack_eval(args: argparse.Namespace) -> int:
    """An attack run: the victims' task success clean and under each attacker, the ASR."""
    from arena.evaluation.attacks import evaluate_attack

    given = [flag for flag, value in (("--env", args.env), ("--external", args.external),
                                      ("--backend", args.backend != ["torch"])) if value]
    if given:
        raise ValueError(f"arena eval of attack run {args.run} does not take "
                         f"{', '.join(given)}: it plays the run's env (--victim RUN evaluates "
                         "against another team, key=value changes scenario arguments, "
                         "--sample lets the victim sample its actions)")
    report = evaluate_attack(args.run, args.episodes, args.seed, victim=args.victim,
                             gif=args.gif, overrides=parse_overrides(args.overrides),
                             sample=args.sample)
    print(report.table())
    if args.json:
        report.write_json(args.json)
        print(f"wrote {args.json}")
    if args.gif:
        marks = "" if report.external else "; attacked agents ringed in red"
        print(f"wrote {args.gif} (one episode of the trained attacker{marks})")
    return 0


def cmd_attack(args: argparse.Namespace) -> int:
    """Train an attacker inside a frozen victim team (``attack:`` threat model)."""
    from arena.training.attack import attack_config
    from arena.training.trainer import Trainer

    cfg = attack_config(args.victim, args.kind, args.agents, args.team or "",
                        args.agents_random, args.run_dir, args.time_limit,
                        parse_overrides(args.overrides), epsilon=args.epsilon)
    if (cfg.run_dir / "checkpoints").exists():
        raise ValueError(f"{cfg.run_dir} already holds a run; resume it with "
                         f"`arena train --resume {cfg.run_dir}` or pick another --run-dir")
    summary = Trainer(cfg).train()
    print(f"run directory: {cfg.run_dir}")
    for key, value in summary.items():
        print(f"  {key}: {value:.4g}")
    return 0


def cmd_seats(args: argparse.Namespace) -> int:
    """A game's policy in every seat against ``--vs``: win/draw/loss rates, illegal actions."""
    from arena.evaluation.seats import evaluate_seats

    if not args.run:
        raise ValueError("arena eval --vs needs a RUN (or scripted|random with --env)")
    report = evaluate_seats(args.run, args.vs, args.episodes, args.env,
                            parse_overrides(args.overrides), not args.sample, args.seed)
    print(report.table())
    if args.json:
        report.write_json(args.json)
        print(f"wrote {args.json}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Runs aggregated across seeds and tasks (``arena.evaluation.aggregate``)."""
    from arena.evaluation.aggregate import aggregate, marl_eval_json, method_label, plot_curves
    from arena.training.runs import expand_runs

    methods = {m[0]: expand_runs(m[1:]) for m in args.method or []}
    if args.runs:
        runs = expand_runs(args.runs)
        methods = {method_label(runs): runs, **methods}
    empty = [label for label, runs in methods.items() if not runs]
    if not methods or empty:
        raise ValueError(f"arena report needs runs: RUN ... or --method LABEL RUN ... "
                         f"(methods without runs: {empty})")
    report = aggregate(methods, args.metric, args.reps, args.seed)
    print(report.table())
    if args.json:
        report.write_json(args.json)
        print(f"wrote {args.json}")
    if args.marl_eval:
        Path(args.marl_eval).parent.mkdir(parents=True, exist_ok=True)
        Path(args.marl_eval).write_text(json.dumps(marl_eval_json(methods, args.metric),
                                                   indent=2))
        print(f"wrote {args.marl_eval}")
    if args.plot:
        print(f"wrote {plot_curves(methods, args.metric, args.plot)}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    """Learning curves of one or more runs as a PNG."""
    from arena.evaluation.plot import plot_runs
    from arena.training.runs import expand_runs

    x = "time/elapsed_s" if args.x == "time" else "env_steps"
    out = plot_runs(expand_runs(args.runs), args.out, metric=args.metric, x=x, source=args.source,
                    smooth=args.smooth, labels=args.labels, title=args.title)
    print(f"wrote {out}")
    return 0


def cmd_crossplay(args: argparse.Namespace) -> int:
    """Every attacker against every defender: the ASR matrix, worst cases, JSON and heatmap
    (attackers inside a team: takeover attack runs against victim runs)."""
    from arena.evaluation.crossplay import cross_play

    if not (args.attackers and args.defenders and args.env):
        raise ValueError("cross-play needs --attackers, --defenders and --env")
    overrides = parse_overrides([args.run, *args.overrides] if args.run else args.overrides)
    takeover = [_is_attack_run(a) for a in args.attackers]
    if any(takeover):
        from arena.evaluation.attacks import takeover_cross_play

        if not all(takeover) or overrides:
            raise ValueError("cross-play of attack runs: every --attackers entry must be an "
                             "attack run (arena attack) or a robust run's takeover attacker "
                             "(population/attacker_*.pt), and the env comes from them (no "
                             "key=value overrides)")
        result = takeover_cross_play(args.attackers, args.defenders, args.env, args.episodes,
                                     args.seed)
    else:
        result = cross_play(args.attackers, args.defenders, args.env, overrides,
                            args.episodes, args.attacker_team, args.defender_team,
                            args.metric, args.seed)
    print(result.table())
    if args.json:
        result.write_json(args.json)
        print(f"wrote {args.json}")
    if args.png:
        result.write_heatmap(args.png)
        print(f"wrote {args.png}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``arena`` command."""
    parser = argparse.ArgumentParser(prog="arena", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("envs", help="list registered envs, their teams, spaces and arguments")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_envs)

    p = sub.add_parser("demo", help="run the scripted (or random) policy and write a GIF")
    p.add_argument("env_id")
    p.add_argument("overrides", nargs="*", help="scenario arguments as key=value")
    p.add_argument("--policy", choices=["scripted", "random", "heuristic"], default="scripted",
                   help="scripted (also accepted under its old name, heuristic) or random")
    p.add_argument("--episodes", type=positive_int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--gif", default=None, help="write the episodes to this GIF")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("train", help="train from a YAML config; overrides as key=value")
    p.add_argument("config", nargs="?", help="YAML run config (see configs/)")
    p.add_argument("overrides", nargs="*", help="dotted overrides, e.g. algo.lr=3e-4")
    p.add_argument("--run-dir", default=None, help="run directory (default runs/<name>)")
    p.add_argument("--resume", default=None, metavar="RUN_DIR",
                   help="continue a run (or a multi-seed group) from its last checkpoints")
    p.add_argument("--seeds", type=int, nargs="+", default=None, metavar="SEED",
                   help="train one replica per seed in this process, each in "
                        "RUN_DIR/seed_<seed> (the config's `seeds`)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("attack", help="train an attacker inside a frozen victim run's team: "
                                      "it takes agents over or perturbs their observations")
    p.add_argument("victim", help="run directory of the victim team")
    p.add_argument("overrides", nargs="*", help="dotted overrides, e.g. total_steps=1000000")
    p.add_argument("--kind", choices=list(ATTACK_KINDS), default="takeover")
    p.add_argument("--agents", type=int, default=1, help="k: agents attacked")
    p.add_argument("--epsilon", type=float, default=0.1,
                   help="perturb: L-inf bound of the observation perturbation")
    p.add_argument("--team", default=None, help="the victim team (default: the env's first)")
    p.add_argument("--agents-random", action="store_true",
                   help="draw the attacked agents anew in every episode")
    p.add_argument("--time-limit", type=float, default=None, help="seconds of training")
    p.add_argument("--run-dir", default=None,
                   help="run directory (default runs/<victim>_attack_<kind><k>)")
    p.set_defaults(func=cmd_attack)

    p = sub.add_parser("eval", help="evaluate a run or checkpoint: returns, metrics, CIs")
    p.add_argument("run", nargs="?", default=None,
                   help="run directory, checkpoint file, or scripted|random (with --env)")
    p.add_argument("--attackers", nargs="+", default=None, metavar="POLICY",
                   help="cross-play: attacker runs/checkpoints or scripted|random; or "
                        "takeover attack runs (arena attack) or robust runs' takeover "
                        "attackers (population/attacker_*.pt), against victim runs")
    p.add_argument("--defenders", nargs="+", default=None, metavar="POLICY",
                   help="cross-play: defender runs/checkpoints or scripted|random")
    p.add_argument("--attacker-team", default="attacker")
    p.add_argument("--defender-team", default="defender")
    p.add_argument("--metric", default="attack_success", help="cross-play: the 0/1 outcome")
    p.add_argument("--png", default=None, help="cross-play: write the ASR heatmap")
    p.add_argument("--victim", default=None, metavar="RUN",
                   help="attack runs: evaluate the attacker against this victim run instead")
    p.add_argument("--vs", default=None, metavar="OPPONENT",
                   help="games: play every seat against random|scripted|RUN2 (win, draw, "
                        "loss rates and illegal actions per seat)")
    p.add_argument("overrides", nargs="*", help="scenario arguments for the eval env")
    p.add_argument("--episodes", type=positive_int, default=100)
    p.add_argument("--env", default=None, help="another env id (same team spaces)")
    p.add_argument("--external", default=None, metavar="MODULE:FUNCTION",
                   help="a PettingZoo env to evaluate on, e.g. mpe2.simple_spread_v3:parallel_env")
    p.add_argument("--sample", action="store_true", help="sample actions instead of greedy")
    p.add_argument("--backend", nargs="+", default=["torch"], choices=["torch", "pymunk"],
                   help="physics backend(s); two give a side-by-side sim-to-sim report")
    p.add_argument("--seed", type=int, default=12345)
    p.add_argument("--json", default=None, help="write the report as JSON")
    p.add_argument("--gif", default=None, help="write one episode as a GIF")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("plot", help="learning curves of runs (progress.csv / eval.csv) as PNG")
    p.add_argument("runs", nargs="+", help="run directories")
    p.add_argument("--out", required=True, help="PNG file to write")
    p.add_argument("--metric", default=None, help="column, e.g. eval/coverage")
    p.add_argument("--x", choices=["steps", "time"], default="steps")
    p.add_argument("--source", choices=["progress", "eval"], default="progress")
    p.add_argument("--smooth", type=positive_int, default=1, help="moving-average window (rows)")
    p.add_argument("--labels", nargs="+", default=None)
    p.add_argument("--title", default=None)
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser("report", help="aggregate runs across seeds and tasks: means with t "
                       "intervals, IQM, performance profiles, probability of improvement")
    p.add_argument("runs", nargs="*", help="run directories of one method")
    p.add_argument("--method", nargs="+", action="append", default=None,
                   metavar=("LABEL", "RUN"), help="a method's label and its runs (repeat it)")
    p.add_argument("--metric", default="eval/return/agent", help="eval.csv column")
    p.add_argument("--json", default=None, help="write the report as JSON")
    p.add_argument("--marl-eval", default=None, metavar="F",
                   help="write the runs' evaluation curves in marl-eval's JSON format")
    p.add_argument("--plot", default=None, metavar="PNG",
                   help="the aggregate curves: mean across runs with a 95%% band")
    p.add_argument("--reps", type=positive_int, default=2000, help="bootstrap resamples")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("profile", help="where a training iteration's time goes "
                       "(simulation, inference, bookkeeping, update)")
    p.add_argument("config", help="YAML run config")
    p.add_argument("overrides", nargs="*", help="key=value overrides, e.g. env.num_envs=4096")
    p.add_argument("--iterations", type=positive_int, default=5,
                   help="timed iterations (after 1 warm-up)")
    p.add_argument("--json", default=None, help="append the result as a JSON line to this file")
    p.set_defaults(func=cmd_profile)

    p = sub.add_parser("bench", help="env-steps/s of simple_spread, peers side by side")
    p.add_argument("--num-envs", type=positive_int, nargs="+", default=[1, 1024, 8192, 32768])
    p.add_argument("--steps", type=positive_int, default=200,
                   help="timed steps at 1024 envs (scaled)")
    p.add_argument("--peers", action="store_true", help="also run VMAS and MPE2")
    p.add_argument("--compile", action="store_true", help="also run the torch.compile path")
    p.add_argument("--pymunk", action="store_true",
                   help="also run the pymunk physics backend (up to 4096 envs)")
    p.add_argument("--continuous", action="store_true",
                   help="continuous actions, for Arena and VMAS")
    p.add_argument("--action-pool", type=int, default=0, metavar="K",
                   help="batched envs step through K random action batches drawn in advance "
                        "(time the step alone, not the action sampling); 0: sample every step")
    p.add_argument("--games", action="store_true",
                   help="moves/s of the batched tictactoe next to PettingZoo's tictactoe_v3")
    p.add_argument("--training", action="store_true",
                   help="MAPPO training throughput (with --peers: BenchMARL side by side)")
    p.add_argument("--iterations", type=positive_int, default=5,
                   help="--training: timed iterations")
    p.add_argument("--precision", nargs="+", default=["float32"],
                   choices=["float32", "bfloat16"],
                   help="--training: algo.precision of Arena's rows (BenchMARL's stay float32)")
    p.add_argument("--sequence", action="store_true",
                   help="training-step time of the SSM and GRU actors vs sequence length")
    p.add_argument("--lengths", type=int, nargs="+", default=[64, 128, 256, 512, 1024])
    p.add_argument("--batch", type=int, default=32, help="--sequence: sequences per step")
    p.add_argument("--heads", action="store_true",
                   help="decision cost of the Gaussian and flow heads (K = --flow-steps)")
    p.add_argument("--flow-steps", type=int, nargs="+", default=[1, 2, 4])
    p.add_argument("--agents", type=int, default=4096, help="--heads: agents per decision")
    p.add_argument("--device", default="cpu")
    p.add_argument("--malloc-defaults", action="store_true",
                   help="leave glibc's allocator as it is; by default every row, peers too, "
                        "runs with freed memory kept for reuse, as arena train runs")
    p.add_argument("--json", default=None, help="write results to this JSON file")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``arena`` console script."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    bad = [x for x in extra if "=" not in x or x.startswith("-")]
    if bad or (extra and not hasattr(args, "overrides")):
        parser.error(f"unrecognized arguments: {' '.join(bad or extra)}")
    if extra:
        args.overrides = list(args.overrides) + extra
    try:
        return int(args.func(args))
    except (KeyError, ValueError, FileNotFoundError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
