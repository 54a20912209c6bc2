"""Agent policies and learning algorithms (backbones, heads, MAPPO/IPPO/GRPO): see issue 3."""
