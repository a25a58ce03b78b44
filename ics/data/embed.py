#!/usr/bin/env python3
# Embeds a text data file into a C++ source as a string constant (build step).
import sys

src, out, symbol = sys.argv[1], sys.argv[2], sys.argv[3]
with open(src, encoding="utf-8") as f:
    text = f.read()
with open(out, "w", encoding="utf-8") as f:
    f.write("// Generated from {} by ics/data/embed.py; do not edit.\n".format(src.split("/")[-1]))
    f.write("namespace cb::ics {\n")
    f.write("extern const char {}[];\n".format(symbol))
    f.write("const char {}[] = R\"tsv({})tsv\";\n".format(symbol, text))
    f.write("}  // namespace cb::ics\n")
