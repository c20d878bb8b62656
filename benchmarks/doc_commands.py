"""The three commands of docs/scaling.md (scheduler, worker, web server), read from the page itself, so that
the tests start a cluster exactly as an instructor is told to and the page cannot drift from what is tested.

The block is the fenced one after the `<!-- commands: … -->` line: one command per line (a trailing `\\` goes
on), `#` lines are comments, and a command may start with `cd FOLDER &&` and `NAME=value` assignments."""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from benchmarks.browser import ROOT

DOC = ROOT / "docs" / "scaling.md"
MARKER = "<!-- commands:"


@dataclass
class DocCommand:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cd: str | None = None

    def replace(self, old: str, new: str) -> DocCommand:
        """The same command with `old`, an argument or an assignment's value that it has exactly once, as `new`."""
        found = [*self.argv, *self.env.values()].count(old)
        if found != 1:
            raise ValueError(f"{old!r} is {found} times in {self}, not once: docs/scaling.md changed")
        return DocCommand([new if a == old else a for a in self.argv],
                          {k: new if v == old else v for k, v in self.env.items()}, self.cd)


def doc_commands(path=DOC) -> dict[str, DocCommand]:
    """{"scheduler": …, "worker": …, "web server": …}, in the page's order."""
    text = path.read_text()
    block = re.search(re.escape(MARKER) + r".*?\n```bash\n(.*?)\n```", text, re.S)
    if block is None:
        raise ValueError(f"{path} has no ```bash block after a {MARKER} … --> line")
    commands = []
    for line in block.group(1).replace("\\\n", " ").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        words, cd, env = shlex.split(line), None, {}
        if words[0] == "cd":
            cd, words = words[1], words[3:]  # cd FOLDER && …
        while re.fullmatch(r"[A-Z_]+=.*", words[0]):
            name, value = words.pop(0).split("=", 1)
            env[name] = value
        commands.append(DocCommand(words, env, cd))
    names = ["scheduler", "worker", "web server"]
    if len(commands) != len(names):
        raise ValueError(f"{path}'s command block has {len(commands)} commands, not {len(names)}")
    return dict(zip(names, commands))
