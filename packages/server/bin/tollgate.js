#!/usr/bin/env node
// The `tollgate` command: runs the built server bundle (`npm run build` makes it).
import('../dist/main.js');
