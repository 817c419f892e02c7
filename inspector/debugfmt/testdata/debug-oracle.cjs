// debug-oracle.cjs answers, with the debug and ms packages themselves, the
// questions in the JSON file argv[2] and writes the answers as JSON to
// argv[3]. It runs from interop/node (TestAgainstDebug in
// oracle_test.go), whose node_modules holds debug 4.4.3 and ms 2.1.3.
'use strict';
const fs = require('fs');
const path = require('path');
const util = require('util');
const {createRequire} = require('module');

const req = createRequire(path.join(process.cwd(), 'package.json'));
for (const k of Object.keys(process.env)) {
	if (/^debug_/i.test(k) || k === 'DEBUG') delete process.env[k];
}

const q = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = {};

// A clock the test sets: debug reads it as Number(new Date()) and
// new Date().toISOString().
const RealDate = Date;
let now = 0;
global.Date = class extends RealDate {
	constructor(...args) {
		if (args.length === 0) super(now);
		else super(...args);
	}
	static now() { return now; }
};

const debug = req('debug/src/node.js');
const browser = req('debug/src/browser.js');
const ms = req('ms');
const basic = debug.colors.slice();
const colors256 = [20, 21, 26, 27, 32, 33, 38, 39, 40, 41, 42, 43, 44, 45, 56, 57, 62, 63, 68, 69, 74, 75, 76, 77, 78, 79, 80,
	81, 92, 93, 98, 99, 112, 113, 128, 129, 134, 135, 148, 149, 160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171,
	172, 173, 178, 179, 184, 185, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 214, 215, 220, 221];

out.enabled = q.selectors.map(({debug: value, names}) => {
	debug.enable(value);
	const enabled = names.map(n => debug.enabled(n));
	return {string: debug.disable(), enabled};
});

out.colors = q.colors.map(ns => {
	debug.colors = basic;
	const b = debug.selectColor(ns);
	debug.colors = colors256;
	const c = debug.selectColor(ns);
	return {basic: b, c256: c, css: browser.selectColor(ns)};
});
debug.colors = basic;

out.humanize = q.humanize.map(n => ms(n));

out.lines = q.lines.map(({mode, hideDate, calls}) => {
	debug.colors = mode === '256' ? colors256 : basic;
	debug.inspectOpts.hideDate = hideDate;
	const instances = {};
	const lines = [];
	for (const {t, ns, msg} of calls) {
		now = t;
		let d = instances[ns];
		if (!d) {
			d = instances[ns] = debug(ns);
			d.enabled = true;
			d.useColors = mode !== 'plain';
			d.log = (...args) => lines.push(util.formatWithOptions(debug.inspectOpts, ...args));
		}
		d(msg);
	}
	return lines;
});

out.truthy = q.truthy.map(v => {
	process.env.DEBUG_COLORS = v;
	delete req.cache[req.resolve('debug/src/node.js')];
	delete req.cache[req.resolve('debug/src/common.js')];
	const fresh = req('debug/src/node.js');
	return Boolean(fresh.inspectOpts.colors);
});

fs.writeFileSync(process.argv[3], JSON.stringify(out));
