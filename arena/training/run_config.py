"""The run config: one YAML file maps one to one onto these dataclasses.

Every team gets the top-level ``policy`` and ``algo``; ``teams.<team>`` overrides them key by key
for one team (e.g. attackers with IPPO and defenders with MAPPO). Unknown keys, wrong types and
bad values are errors that name the key and the file.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from arena.core.typed import ConfigError, build, to_dict
from arena.interfaces.algorithms import algo_spec, baseline_spec
from arena.interfaces.policy_config import PolicyConfig
from arena.sim import BACKENDS


@dataclass
class EnvConfig:
    """The training env."""

    id: str = "coordination/simple_spread-v0"
    """Registered env id (``arena envs``)."""
    num_envs: int = 256
    """Envs stepped in parallel."""
    kwargs: dict[str, Any] = field(default_factory=dict)
    """Scenario arguments."""
    compile: bool = False
    """Run the env step through ``torch.compile``."""
    backend: str = "torch"
    """Physics: ``torch`` (batched soft contacts, any device) or ``pymunk`` (rigid contacts,
    one pymunk space per env, CPU; much slower, for fine-tuning and sim-to-sim checks)."""
    external: str = ""
    """A PettingZoo env instead of ``id``: ``"package.module:function"`` making one
    ``ParallelEnv`` (or AEC env) from ``kwargs``, e.g. ``"mpe2.simple_spread_v3:parallel_env"``."""
    teams: dict[str, list[str]] = field(default_factory=dict)
    """External envs: ``{team: [agent names]}`` (default: names without ``_<index>``)."""

    def validate(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {list(BACKENDS)}, got {self.backend!r}")
        if self.backend != "torch" and (self.compile or self.external):
            raise ValueError(f"backend {self.backend!r} needs compile: false and no external env")


@dataclass
class LogConfig:
    """Where and how often to log and checkpoint."""

    run_dir: str = ""
    """Run directory; empty means ``runs/<name>``."""
    checkpoint_every: int = 20
    """Iterations between checkpoints (one is always written at the end)."""
    tensorboard: bool = True
    """Write TensorBoard event files."""
    progress: bool = True
    """Show a progress bar."""


@dataclass
class EvalConfig:
    """Periodic and final evaluation."""

    every: int = 0
    """Iterations between evaluations (0: only at the end)."""
    episodes: int = 100
    """Episodes per evaluation."""
    deterministic: bool = True
    """Greedy actions."""
    sampled: bool = True
    """With greedy evaluation, also evaluate with sampled actions on the same seeds
    (``eval/sampled/...``): greedy play can be worse than sampled play."""
    gif: bool = True
    """Write a GIF of one episode at the end of training."""


@dataclass
class TeamOverride:
    """Per-team changes to the shared ``policy`` and ``algo`` sections."""

    policy: dict[str, Any] = field(default_factory=dict)
    algo: dict[str, Any] = field(default_factory=dict)
    frozen: str = ""
    """Play this team with a fixed policy and never train it: ``scripted``, ``random``, or a
    run directory / checkpoint (its actor for this team), e.g. to train defenders against the
    scripted attacker, or a fresh attacker against frozen defenders (exploitation check)."""


@dataclass
class CoevolutionConfig:
    """How the trained teams of an adversarial env learn together."""

    mode: str = "simultaneous"
    """``simultaneous`` (every trained team updates every iteration), ``alternating`` (one team
    updates for ``switch_every`` iterations while the others stay fixed, then the next), or
    ``population`` (co-evolution: each of two teams keeps a population of past and mutated
    actors; in half of the envs a team's learner plays members sampled from the other team's
    population, and every ``generation`` iterations the weakest members are replaced), or
    ``league`` (self-play in a game against past snapshots: one trained team whose agents are
    the seats; in every env the learner plays one seat, seats alternating across envs, and a
    member of the team's population of past and mutated actors plays the others; the same
    generations, replacement and ``opponent_sampling``; a member wins a game when the
    learner's seat returns less than 0, a draw counts half)."""
    switch_every: int = 10
    """Alternating: iterations per team before the other team's turn."""
    population_size: int = 4
    """Population and league: network members per team."""
    include_scripted: bool = True
    """Population and league: the scripted policy is also an opponent (a fixed member, never
    replaced)."""
    include_random: bool = False
    """Population and league: the random policy (legal moves where the env masks actions) is
    also an opponent, after the scripted one."""
    generation: int = 10
    """Population and league: iterations per generation (fitness, replacement, new opponent
    draw)."""
    mutation_std: float = 0.01
    """Population and league: std of the Gaussian noise added to a mutated member's
    parameters."""
    outcome_metric: str = "attack_success"
    """Population: the 0/1 episode metric that decides who won (1: ``outcome_team`` won;
    league mode reads the seats' returns instead)."""
    outcome_team: str = "attacker"
    """Population: the team that wins when ``outcome_metric`` is 1 (the other when it is 0)."""
    opponent_sampling: str = "uniform"
    """Population and league: how members are drawn as opponents each generation:
    ``uniform``, or ``pfsp``
    (prioritized fictitious self-play, as in AlphaStar: member k with probability proportional
    to ``max(w_k, 0.05) ** pfsp_power``, ``w_k`` its win rate against the other team's learner
    in the previous generation, so the opponents that beat the learner are played most)."""
    pfsp_power: float = 1.0
    """Population, ``pfsp``: the exponent of the win rate (0: uniform; larger: harder)."""

    def validate(self) -> None:
        if self.mode not in ("simultaneous", "alternating", "population", "league"):
            raise ValueError("mode must be 'simultaneous', 'alternating', 'population' or "
                             f"'league', got {self.mode!r}")
        if self.switch_every < 1 or self.generation < 1:
            raise ValueError("switch_every and generation must be >= 1")
        if self.population_size < 2:
            raise ValueError(f"population_size must be >= 2, got {self.population_size}")
        if self.opponent_sampling not in ("uniform", "pfsp"):
            raise ValueError("opponent_sampling must be 'uniform' or 'pfsp', "
                             f"got {self.opponent_sampling!r}")
        if self.pfsp_power < 0:
            raise ValueError(f"pfsp_power must be >= 0, got {self.pfsp_power}")


@dataclass
class PretrainConfig:
    """Behaviour cloning before training (off unless ``source`` is set)."""

    source: str = ""
    """Demonstrator: ``scripted`` (the scenario's heuristic), ``saboteur`` (a takeover attack
    run only: the scenario's scripted saboteur on the attacked slots, against the victim), or
    empty for no pretraining."""
    steps: int = 1000
    """Gradient steps per team."""
    num_envs: int = 256
    """Envs that collect demonstrations."""
    rollout_steps: int = 0
    """Demonstration steps per env (0: the env's episode limit)."""
    batch_size: int = 4096
    """Env-steps per gradient step (recurrent actors: whole sequences adding up to about it)."""
    lr: float = 1e-3
    """Learning rate (Adam)."""
    teams: list[str] = field(default_factory=list)
    """Teams to pretrain (default: every trained team)."""

    def validate(self) -> None:
        if self.source not in ("", "scripted", "saboteur"):
            raise ValueError(f"source must be 'scripted', 'saboteur' or empty, "
                             f"got {self.source!r}")
        if min(self.steps, self.num_envs, self.batch_size) < 1 or self.rollout_steps < 0:
            raise ValueError("steps, num_envs and batch_size must be >= 1, rollout_steps >= 0")


ATTACK_KINDS = ("takeover", "perturb", "message")
"""Threat models from inside a team (``attack.kind``)."""


@dataclass
class AttackConfig:
    """A threat from inside a team (off unless ``kind`` is set); the run's learner is the
    attacker, and the ``victim`` run's frozen policy plays ``team``, unaware.

    - ``takeover`` (partial control): the attacker controls ``agents`` of the agents of
      ``team``; the others are honest. It observes what the agents it controls observe, and
      with ``observe: state`` also the env's global state (a stronger threat: an attacker
      that sees everything the critic sees).
    - ``perturb``: the attacker adds a perturbation of L-inf norm at most ``epsilon`` to the
      observations of ``agents`` of the agents (all of them stay honest). It observes their
      clean observations.
    - ``message`` (message injection): in a scenario with a message channel, the attacker
      chooses the messages that ``agents`` of the agents send; the victim's policy still
      chooses their moves, and all of them stay honest. It observes their observations.

    The attacker's reward (``objective``) is the negative of the honest agents' mean reward, or
    1 at each episode end where the honest agents' task outcome fails."""

    kind: str = ""
    """``takeover``, ``perturb``, ``message``, or empty for no attack."""
    team: str = ""
    """The victim team (default: the env's first team)."""
    agents: int = 1
    """``k``: how many of the team's agents are attacked."""
    victim: str = ""
    """Run directory (or checkpoint) of the victim team's trained policy."""
    agents_random: bool = False
    """Draw the attacked agents anew in every episode (default: agents ``0..k-1``), so that a
    defense cannot rely on a fixed slot."""
    epsilon: float = 0.1
    """``perturb``: the L-inf bound of the perturbation, in observation units."""
    observe: str = "own"
    """``takeover``: ``own`` (the observations of the agents it controls) or ``state`` (each
    followed by the env's global state)."""
    objective: str = "return"
    """The attacker's reward: ``return`` (minus the honest agents' mean reward, every step),
    ``honest_return`` (takeover: the same with the honest agents rewarded by the scenario's
    ``honest_reward``, their reward without the attacked agents, as ``robust.honest_reward``
    trains them; the scenario must declare it) or ``outcome`` (1 at an episode's end when the
    scenario's ``task_outcome`` of the honest agents fails, else 0; the scenario must declare
    one)."""

    def team_in(self, teams: Iterable[str]) -> str:
        """The victim team among ``teams``: ``team``, or by default the first one."""
        return self.team or next(iter(teams))

    def validate(self) -> None:
        if self.kind not in ("", *ATTACK_KINDS):
            raise ValueError(f"kind must be one of {list(ATTACK_KINDS)} or empty, "
                             f"got {self.kind!r}")
        if self.kind and not self.victim:
            raise ValueError("victim: an attack needs the victim run (attack.victim: RUN_DIR)")
        if self.agents < 1:
            raise ValueError(f"agents must be >= 1, got {self.agents}")
        if self.observe not in ("own", "state"):
            raise ValueError(f"observe must be 'own' or 'state', got {self.observe!r}")
        if self.observe == "state" and self.kind != "takeover":
            raise ValueError("observe: state applies to takeover attackers (an observation "
                             "attacker perturbs the observations it sees)")
        if self.objective not in ("return", "honest_return", "outcome"):
            raise ValueError("objective must be 'return', 'honest_return' or 'outcome', got "
                             f"{self.objective!r}")
        if self.objective == "honest_return" and self.kind != "takeover":
            raise ValueError("objective honest_return leaves the attacked agents out of the "
                             f"honest agents' reward: it needs kind: takeover, got {self.kind!r}")
        if not self.epsilon > 0:
            raise ValueError(f"epsilon must be > 0, got {self.epsilon}")


@dataclass
class RobustConfig:
    """Robust training of a team against attackers inside it (off unless ``kind`` is set),
    in the shape of AdvEvo-MARL / Evo-MARL: in a ``fraction`` of the envs, ``agents`` slots of
    ``team`` are played by members of a co-evolving attacker population while the team's
    learner plays the others and learns only from them.

    The population holds the trained takeover attackers of ``attackers`` (runs of ``arena
    attack``; fixed members), ``population_size`` evolving networks (mutants of the fixed
    attackers, or of the team's initial network without any), and optionally the scripted
    saboteur and the random policy. An ``online`` share of the attacked envs is played by an
    attacker learner trained alongside the team (the run's algorithm, or ``online_algo``, on
    its own slots, rewarded with minus the honest agents' reward). Under GRPO every draw is per
    group of envs, so that a group's members face the same attacker on the same slots. Every
    ``generation`` iterations each member's fitness is its attack success rate in its
    episodes; the weakest evolving network is replaced by a snapshot of the online attacker
    (when there is one), the next weakest by a mutant of the fittest network, and members are
    drawn anew for the attacked envs.

    ``kind: perturb`` is adversarial training against observation perturbations instead: the
    attacked slots stay the learner's, but their observations are perturbed by at most
    ``epsilon`` (L-inf) by the member drawn for the env, and the learner learns from the
    perturbed observations it acted on. Members are trained perturbation attackers
    (``attackers``: ``arena attack --kind perturb`` runs), their mutants and uniform noise
    (``include_random``); the ``online`` share is the gradient-sign attack (FGSM) on the
    team's current policy, an attacker always up to date with the team.

    ``kind: message`` is robust training against message injection: in the attacked slots the
    team's current policy still chooses the moves, the member chooses the messages they send
    (``attackers``: ``arena attack --kind message`` runs, their mutants, and random messages
    with ``include_random``); the team's learner does not learn from those slots (their
    actions are not its own), and every agent stays honest. No online attacker (``online:
    0``)."""

    kind: str = ""
    """``takeover``, ``perturb``, ``message``, or empty for normal training."""
    team: str = ""
    """The team trained to be robust (default: the env's first team)."""
    agents: int = 1
    """``k``: attacked slots per attacked env."""
    agents_random: bool = True
    """Draw the attacked slots anew in every episode (default), so that the team cannot rely
    on a fixed slot; false: agents ``0..k-1``."""
    fraction: float = 0.5
    """Fraction of the envs with attackers (the others train the team clean)."""
    attackers: list[str] = field(default_factory=list)
    """Run directories of trained takeover attackers (``arena attack``), fixed members."""
    population_size: int = 4
    """Evolving network members."""
    include_scripted: bool = True
    """The scripted saboteur (``Scenario.saboteur_direction``) is a member (takeover only)."""
    include_random: bool = True
    """The random policy is a member."""
    generation: int = 10
    """Iterations per generation (fitness, replacement, new draw of members)."""
    draw: str = "uniform"
    """How each generation draws the members of the attacked envs: ``uniform``, or ``fitness``:
    in proportion to each member's fitness (its last ASR against the team, floored at 0.05 so
    a beaten member still comes back), as prioritized fictitious self-play does, so the
    attackers that still win get most of the attacked envs."""
    mutation_std: float = 0.02
    """Std of the Gaussian noise added to a mutant's parameters."""
    greedy_members: bool = False
    """The network members (fixed attackers and mutants) play their greedy action, as ``arena
    eval`` plays a trained attacker; false (default): they sample from their policy, noisier
    and more varied opponents. The online attacker always samples (it learns on-policy)."""
    online: float = 0.5
    """Share of the attacked envs played by the online attacker learner (0: none; the
    population alone); ``perturb``: perturbed by the gradient-sign attack on the team."""
    restart_online: int = 0
    """Every this many generations, once its snapshot has joined the population, the online
    attacker starts again from new random weights and a new optimizer: a fresh exploiter (as
    a league's), so the team keeps meeting an attacker that has not co-adapted with it. 0:
    never (one attacker learns for the whole run)."""
    online_algo: dict[str, Any] = field(default_factory=dict)
    """The online attacker's algorithm (``name`` and its hyperparameters, as ``algo:``), when
    it should not be the team's: e.g. a MAPPO attacker inside a GRPO team's training, so that
    the team meets the kind of attacker that exploits it. Empty: the run's ``algo``."""
    epsilon: float = 0.1
    """``perturb``: the L-inf budget of the perturbations."""
    honest_reward: bool = False
    """``takeover``: reward the team's honest agents with the scenario's ``honest_reward`` (its
    reward with the attacked agents left out; the scenario must declare it) instead of its
    ``reward``, in every env (in a clean env every agent is honest); the online attacker gets
    minus it. For scenarios whose shared reward counts every agent, where an attacker would
    otherwise shape the honest agents' reward (docs/attacks.md)."""
    drop_threshold: float = 0.2
    """Where the env declares no task outcome for the team (an external PettingZoo env, a
    plug-in scenario without ``task_outcome``), the members' fitness uses the return-drop rule
    of ``arena eval``: an attacked episode fails when its honest agents' mean return falls more
    than ``drop_threshold`` x |reference| below the reference, the mean honest return of the
    clean envs' episodes in the previous generation (none in the first: its attacked episodes
    are not scored). Needs clean envs (``fraction < 1``)."""

    def team_in(self, teams: Iterable[str]) -> str:
        """The robust team among ``teams``: ``team``, or by default the first one."""
        return self.team or next(iter(teams))

    def validate(self) -> None:
        if self.kind not in ("", "takeover", "perturb", "message"):
            raise ValueError("kind must be 'takeover', 'perturb', 'message' or empty, got "
                             f"{self.kind!r}")
        if self.kind == "message" and self.online > 0:
            raise ValueError("online: message injection has no online attacker; set online: 0")
        if self.epsilon <= 0:
            raise ValueError(f"epsilon must be > 0, got {self.epsilon}")
        if self.drop_threshold <= 0:
            raise ValueError(f"drop_threshold must be > 0, got {self.drop_threshold}")
        if self.draw not in ("uniform", "fitness"):
            raise ValueError(f"draw must be 'uniform' or 'fitness', got {self.draw!r}")
        if self.restart_online < 0:
            raise ValueError(f"restart_online must be >= 0, got {self.restart_online}")
        self._validate_takeover_keys()
        if self.agents < 1:
            raise ValueError(f"agents must be >= 1, got {self.agents}")
        if not 0.0 < self.fraction <= 1.0:
            raise ValueError(f"fraction must be in (0, 1], got {self.fraction}")
        if not 0.0 <= self.online <= 1.0:
            raise ValueError(f"online must be in [0, 1], got {self.online}")
        if self.population_size < 0 or self.generation < 1 or self.mutation_std < 0:
            raise ValueError("population_size and mutation_std must be >= 0, generation >= 1")
        scripted = self.include_scripted and self.kind == "takeover"
        if self.kind and self.online < 1.0 and not (
                self.attackers or self.population_size or scripted or self.include_random):
            raise ValueError("the attacker population is empty: give attackers, "
                             "population_size > 0, include_scripted, include_random or "
                             "online 1")

    def _validate_takeover_keys(self) -> None:
        """The keys that only a takeover (and some only its online attacker) uses."""
        online = self.kind == "takeover" and self.online > 0
        if self.restart_online and not online:
            raise ValueError("restart_online restarts the online takeover attacker: it needs "
                             "kind: takeover and online > 0")
        if self.online_algo and not online:
            raise ValueError("online_algo is the online takeover attacker's algorithm: it "
                             "needs kind: takeover and online > 0")
        if self.honest_reward and self.kind != "takeover":
            raise ValueError("honest_reward leaves the attacked agents out of the honest "
                             f"agents' reward: it needs kind: takeover, got {self.kind!r}")


@dataclass
class RunConfig:
    """A training run."""

    name: str = "run"
    """Run name (default run directory ``runs/<name>``)."""
    seed: int = 0
    """Seed of the env, the networks and the sampling."""
    seeds: list[int] = field(default_factory=list)
    """Train one replica per seed, in one process (``arena.training.seeds``; ``seed`` is then
    unused): each in ``<run_dir>/seed_<seed>``, equal to its single-seed run."""
    device: str = "cpu"
    """Torch device of the envs, rollouts and networks."""
    keep_freed_memory: bool = True
    """On Linux (glibc): keep the memory torch frees in the process for the next update instead
    of returning it to the system, which saves the updates' page faults (process-wide;
    ``arena.core.allocator``). ``false``: glibc's defaults."""
    env: EnvConfig = field(default_factory=EnvConfig)
    rollout_steps: int = 25
    """Steps per env per iteration (T)."""
    total_steps: int = 1_000_000
    """Env steps (num_envs x steps) to train for."""
    time_limit: float = 0.0
    """Stop after this many seconds of training (0: no limit)."""
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    """Network of every team."""
    algo: dict[str, Any] = field(default_factory=lambda: {"name": "mappo"})
    """Algorithm of every team: ``name`` (``mappo``, ``ippo``) and its hyperparameters."""
    teams: dict[str, TeamOverride] = field(default_factory=dict)
    """Per-team overrides of ``policy`` and ``algo``."""
    log: LogConfig = field(default_factory=LogConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    coevolution: CoevolutionConfig = field(default_factory=CoevolutionConfig)
    """Simultaneous, alternating or population training of the trained teams."""
    pretrain: PretrainConfig = field(default_factory=PretrainConfig)
    """Behaviour cloning of the scripted policy before training (``pretrain.source``)."""
    attack: AttackConfig = field(default_factory=AttackConfig)
    """An attacker inside a team (``attack.kind: takeover | perturb``): the run trains the attacker
    against a frozen victim run."""
    robust: RobustConfig = field(default_factory=RobustConfig)
    """Robust training (``robust.kind: takeover``): attackers from a co-evolving population
    inside the trained team, in a fraction of the envs."""
    baseline: dict[str, Any] = field(default_factory=dict)
    """Train a registered baseline instead of ``algo`` (``arena.baselines`` entry points):
    ``{name: sb3_ppo, team: ..., <PPO kwargs>}`` runs stable-baselines3's PPO with parameter
    sharing over ``team`` (see baselines/sb3.py)."""

    def validate(self) -> None:
        if self.baseline:
            try:
                baseline_spec(str(self.baseline.get("name", "")))
            except KeyError as err:
                raise ValueError(f"baseline.name: {err.args[0]}") from None
        if self.rollout_steps < 1 or self.total_steps < 1 or self.env.num_envs < 1:
            raise ValueError("rollout_steps, total_steps and env.num_envs must be >= 1")
        if self.time_limit < 0:
            raise ValueError(f"time_limit must be >= 0 seconds (0: no limit), got "
                             f"{self.time_limit:g}")
        if self.pretrain.source == "saboteur" and self.attack.kind != "takeover":
            raise ValueError("pretrain.source: saboteur warm-starts a takeover attacker; it "
                             "needs attack.kind takeover (arena attack VICTIM --kind takeover "
                             f"pretrain.source=saboteur), got attack.kind {self.attack.kind!r}")

    @property
    def run_dir(self) -> Path:
        return Path(self.log.run_dir or f"runs/{self.name}")

    def frozen(self, team: str) -> str:
        """The fixed policy source of ``team`` (empty when the team is trained)."""
        over = self.teams.get(team)
        return over.frozen if over is not None else ""

    def team_configs(self, team: str) -> tuple[PolicyConfig, Any]:
        """The policy config and the (typed) algorithm config of ``team``."""
        over = self.teams.get(team, TeamOverride())
        where = f"teams.{team}" if team in self.teams else "policy"
        policy = build(PolicyConfig, {**to_dict(self.policy), **over.policy}, where + ".policy")
        return policy, build_algo({**self.algo, **over.algo}, where + ".algo")


def build_algo(values: dict[str, Any], where: str) -> Any:
    """The typed config of the algorithm named in ``values["name"]``."""
    name = values.get("name", "mappo")
    try:
        spec = algo_spec(name)
    except KeyError as err:
        raise ConfigError(f"{where}.name: {err.args[0]}") from None
    return build(spec.config_cls, {**values, "name": name}, where)


def set_dotted(tree: dict[str, Any], key: str, value: Any) -> None:
    """``tree["a"]["b"] = value`` for ``key = "a.b"``, creating levels as needed."""
    parts = key.split(".")
    node = tree
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override {key!r}: {p!r} is not a section")
    node[parts[-1]] = value


def load_config(path: str | Path | None, overrides: dict[str, Any] | None = None,
                base: dict[str, Any] | None = None) -> RunConfig:
    """Read a YAML run config (or start from ``base``), apply dotted ``overrides``
    (``{"algo.lr": 3e-4}``), and validate everything that does not need the env."""
    where = str(path) if path else "config"
    raw: dict[str, Any] = copy.deepcopy(base) if base else {}
    if path is not None:
        try:
            text = Path(path).read_text()
        except OSError as err:
            raise ConfigError(f"cannot read config {where}: {err.strerror}") from None
        loaded = yaml.safe_load(text) or {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{where}: the top level must be a mapping")
        raw = loaded
    for key, value in (overrides or {}).items():
        set_dotted(raw, key, value)
    cfg = build(RunConfig, raw, where)
    build_algo(cfg.algo, f"{where}: algo")
    if cfg.robust.online_algo:
        build_algo(cfg.robust.online_algo, f"{where}: robust.online_algo")
    for team in cfg.teams:
        cfg.team_configs(team)
    return cfg


def save_config(cfg: RunConfig, path: Path) -> None:
    """Write the resolved config as YAML."""
    path.write_text(yaml.safe_dump(to_dict(cfg), sort_keys=False))
