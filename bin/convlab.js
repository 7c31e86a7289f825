#!/usr/bin/env node
'use strict';
// The `convlab` command: the bundled CLI (npm run build makes it).
require('../dist/convlab.js');
