"""Puts a generated table into bench/README.md between <!-- NAME:start --> and <!-- NAME:end -->,
replacing the block a previous run wrote or appending it: every bench/*/run.sh ends with this.

  readme_block.py README.md BLOCK.md      (BLOCK.md starts with <!-- NAME:start --> and ends with its end)
"""
import re
import sys


def main():
    readme, block_file = sys.argv[1], sys.argv[2]
    block = open(block_file).read().strip()
    name = re.match(r"<!-- (.+?):start -->", block).group(1)
    text = open(readme).read()
    pattern = re.compile(rf"<!-- {re.escape(name)}:start -->.*?<!-- {re.escape(name)}:end -->", re.S)
    text = pattern.sub(lambda m: block, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + block + "\n"
    open(readme, "w").write(text)


if __name__ == "__main__":
    main()
