"""Arena's built-in scenarios, registered into ``arena.core.registry`` by ``register_builtin``."""

from __future__ import annotations


def register_builtin() -> None:
    """Register every built-in scenario (the ``arena.envs`` entry point of this package)."""
    from arena.core.registry import register
    from envs.attack_defense.breach import Breach
    from envs.attack_defense.simple_adversary import SimpleAdversary
    from envs.attack_defense.simple_tag import SimpleTag
    from envs.coordination.reference import Reference
    from envs.coordination.simple_spread import SimpleSpread
    from envs.coordination.speaker_listener import SpeakerListener
    from envs.coordination.transport import Transport
    from envs.games.tictactoe import TicTacToe
    from envs.navigation.fork import Fork
    from envs.navigation.hidden_goal import HiddenGoal
    from envs.navigation.navigation import Navigation
    from envs.navigation.scouts import Scouts

    register("coordination/simple_spread-v0", SimpleSpread)
    register("attack_defense/simple_tag-v0", SimpleTag)
    register("coordination/transport-v0", Transport)
    register("attack_defense/simple_adversary-v0", SimpleAdversary)
    register("attack_defense/breach-v0", Breach)
    register("navigation/navigation-v0", Navigation)
    register("navigation/hidden_goal-v0", HiddenGoal)
    register("navigation/fork-v0", Fork)
    register("games/tictactoe-v0", TicTacToe)
    register("coordination/speaker_listener-v0", SpeakerListener)
    register("coordination/reference-v0", Reference)
    register("navigation/scouts-v0", Scouts)
