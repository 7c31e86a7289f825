#!/usr/bin/env node
'use strict';
// The `convlab` command: the bundled CLI (npm run build makes it). The commands that run no
// model have a small bundle of their own, which starts without loading TensorFlow.js.
const command = process.argv[2];
const light = command === undefined || ['summary', 'help', '--help', '-h'].includes(command);
require(light ? '../dist/convlab-summary.js' : '../dist/convlab.js');
