#!/usr/bin/env node
import { runExecutable } from '../dist/cli/main.js';

await runExecutable(process.argv.slice(2));
