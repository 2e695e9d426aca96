#!/usr/bin/env node
// The compiled CLI lives in dist/; `npm install` (prepare) builds it.
import { main } from '../dist/cli.js';

await main(process.argv);
