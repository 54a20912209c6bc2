"""What the training loop and the plug-in algorithms agree on: the ``Learner`` protocol and its
declared capabilities, the actor base class, rollout storage, slot control (who acts for which
agent), policy wrappers, named policies and episode statistics."""
