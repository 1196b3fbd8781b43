#!/bin/sh
# Run by the script module: prints its arguments and the directory it runs in.
printf '%s|' "$@"
printf '%s\n' "$(pwd)"
