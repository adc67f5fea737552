"""Print the commands of the README's "Two commands" section, one per line.

CI runs exactly what the README tells a new user to run, so the README cannot drift
from what is tested.
"""
import re
import sys


def readme_commands(text):
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```[a-z]*\n(.*?)```", section, flags=re.S)
    return [" ".join(line.strip() for line in block.strip().splitlines()) for block in blocks]


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        print("\n".join(readme_commands(f.read())))
