"""The learned communication graph of a policy.comm ``graph`` run: who listens to whom, as
arrows from sender to receiver on a circle of agents (scouts in orange), beside the learned
edge logits. Usage: python plot_graph.py RUN OUT.png [SCOUTS]"""

from __future__ import annotations

import math
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

from arena.training.runs import load_policy  # noqa: E402


def main(run: str, out: str, scouts: int = 0) -> None:
    actor = load_policy(run).actors["agent"]
    comm = actor.comm  # type: ignore[attr-defined]
    with torch.no_grad():
        adj = comm.adjacency().detach().cpu()
        logits = comm.edge_logits.detach().cpu()
    n = adj.shape[0]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(9, 4.2))
    xy = [(math.cos(2 * math.pi * i / n), math.sin(2 * math.pi * i / n)) for i in range(n)]
    for i in range(n):  # receiver
        for j in range(n):  # sender
            if adj[i, j] > 0.5:
                (x0, y0), (x1, y1) = xy[j], xy[i]
                color = "tab:orange" if j < scouts else "0.55"
                ax.annotate("", xy=(x1 * 0.86, y1 * 0.86), xytext=(x0 * 0.86, y0 * 0.86),
                            arrowprops={"arrowstyle": "-|>", "lw": 1.4, "color": color,
                                        "connectionstyle": "arc3,rad=0.15"})
    for i, (x, y) in enumerate(xy):
        color = "tab:orange" if i < scouts else "tab:blue"
        ax.scatter([x], [y], s=600, c=color, zorder=3)
        ax.text(x, y, str(i), ha="center", va="center", color="white", zorder=4)
    ax.set_title(f"who listens to whom (arrow: sender -> receiver)\n"
                 f"{int(adj.round().sum())} of {n * (n - 1)} edges; orange: scouts "
                 "and what they say")
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    masked = logits.masked_fill(torch.eye(n, dtype=torch.bool), float("nan"))
    im = bx.imshow(masked, cmap="viridis")
    bx.set_xlabel("sender j")
    bx.set_ylabel("receiver i")
    bx.set_title("learned edge logits")
    fig.colorbar(im, ax=bx, fraction=0.046)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}; adjacency (receiver rows):\n{adj.round().int().tolist()}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
