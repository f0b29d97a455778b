// Opens pytrace's picture formats in the real consumers, in headless
// Chromium driven by playwright-core (tests/e2e/viewers.sh):
//   speedscope PREFIX  speedscope 1.25 (npm) loads PREFIX.chrome,
//                      PREFIX.speedscope and PREFIX.chrome.gz (-o FILE.gz)
//                      from a localhost server (#profileURL);
//                      the console must hold no warning or error; the profile
//                      speedscope built is exported through its own Export
//                      button and its call tree compared with PREFIX.json
//   svg PREFIX SHOT    PREFIX.svg renders; its frames and widths equal the
//                      tree of PREFIX.folded; search and zoom work, driven
//                      through the page; a screenshot goes to SHOT
// Prints TAP lines; exits 0 (failures are "not ok" lines).
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { createRequire } from "node:module";

const [, , mode, prefix, shot] = process.argv;
const NPM = process.env.VIEWERS_NPM;
const require = createRequire(NPM + "/");
const { chromium } = require("playwright-core");
let n = 0;
const ok = (cond, name, why = "") => {
	n++;
	console.log(`${cond ? "ok" : "not ok"} ${n} - ${name}`);
	if (!cond && why)
		for (const l of String(why).split("\n").slice(0, 12))
			console.log(`# ${l}`);
	return cond;
};

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--enable-unsafe-swiftshader"];
// Chromium's own words about its software WebGL (speedscope draws with
// WebGL), not the importer's: counted, not held against the page.
const GPU_NOISE = /^\[\.WebGL-|GL Driver Message|software WebGL|swiftshader/i;

async function browser() {
	const dir = fs.mkdtempSync("/tmp/pytrace-chromium.");
	const ctx = await chromium.launchPersistentContext(dir, {
		executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
		headless: true, args: ARGS, acceptDownloads: true,
		viewport: { width: 1200, height: 900 },
	});
	return { ctx, dir };
}

// Call trees as [[depth, name, file]] per "pid:tid", from pytrace's json.
// A call that lasted 0 ns (one still open at the very end of the trace) is
// left out: speedscope keeps no frame without width. Returns [trees, left out].
function jsonCalls(file) {
	const per = new Map(), open = new Map();
	let end = 0, zero = 0;
	const evs = fs.readFileSync(file, "utf8").split("\n").filter((l) => l).map((l) => JSON.parse(l));
	for (const e of evs)
		end = Math.max(end, e.ts);
	for (const e of evs) {
		const k = `${e.pid}:${e.tid}`;
		if (!per.has(k)) {
			per.set(k, []);
			open.set(k, []);
		}
		if (e.kind === "call") {
			const c = [e.depth, e.func ?? "<null>", e.file ?? "<null>", e.ts];
			per.get(k).push(c);
			open.get(k).push(c);
		} else if (e.kind === "return" && e.dur !== undefined) {
			const c = open.get(k).pop();
			c[3] = e.dur;
		}
	}
	for (const [k, st] of open)
		for (const c of st)
			c[3] = end - c[3];
	for (const [k, calls] of per) {
		const kept = calls.filter((c) => c[3] > 0).map((c) => c.slice(0, 3));
		zero += calls.length - kept.length;
		if (kept.length)
			per.set(k, kept);
		else
			per.delete(k);
	}
	return [per, zero];
}

// The same from a speedscope file (what speedscope exported): a frame is a
// call when it has a file (speedscope format) or args with a file (chrome:
// speedscope names a frame `NAME {"file":...,"line":...}`); gc and import
// frames are left out but keep their depth, as json's depth does not count them.
function exportedCalls(doc) {
	const per = new Map();
	for (const p of doc.profiles) {
		// chrome: "NAME (pid P), THREAD (tid T)"; speedscope: "NAME (pid P), tid T"
		const pid = /\(pid (\d+)/.exec(p.name), tid = /tid (\d+)\)?$/.exec(p.name);
		if (!pid || !tid)
			throw new Error(`profile name without pid/tid: ${p.name}`);
		const m = [null, pid[1], tid[1]];
		const calls = [], stack = [];
		for (const ev of p.events) {
			const fr = doc.shared.frames[ev.frame];
			let call = null;
			if (fr.file !== undefined) {
				call = [fr.name, fr.file];
			} else {
				const a = /^(.*) (\{.*\})$/s.exec(fr.name);
				if (a) {
					const args = JSON.parse(a[2]);
					if (args.file !== undefined)
						call = [a[1], args.file];
				}
			}
			if (ev.type === "O") {
				const depth = stack.filter((c) => c).length;
				stack.push(call);
				if (call)
					calls.push([depth, call[0], call[1]]);
			} else {
				stack.pop();
			}
		}
		if (calls.length)
			per.set(`${m[1]}:${m[2]}`, calls);
	}
	return per;
}

function sameTrees(want, got) {
	const keys = new Set([...want.keys(), ...got.keys()]);
	for (const k of keys) {
		const w = want.get(k) || [], g = (got.get(k) || []);
		if (w.length !== g.length)
			return `thread ${k}: ${w.length} calls in json, ${g.length} in speedscope`;
		for (let i = 0; i < w.length; i++)
			if (JSON.stringify(w[i]) !== JSON.stringify(g[i]))
				return `thread ${k}, call ${i}: json ${JSON.stringify(w[i])}, speedscope ${JSON.stringify(g[i])}`;
	}
	return null;
}

async function speedscope() {
	const root = path.join(NPM, "node_modules/speedscope/dist/release");
	const server = http.createServer((req, res) => {
		const u = decodeURIComponent(new URL(req.url, "http://x").pathname);
		const f = u.startsWith("/profiles/") ? prefix + u.slice("/profiles/trace".length)
			: path.join(root, path.normalize(u === "/" ? "/index.html" : u));
		fs.readFile(f, (err, data) => {
			if (err) {
				res.writeHead(404);
				return res.end();
			}
			const type = f.endsWith(".html") ? "text/html" : f.endsWith(".js") ? "text/javascript"
				: f.endsWith(".css") ? "text/css" : "application/octet-stream";
			res.writeHead(200, { "content-type": type });
			res.end(data);
		});
	});
	await new Promise((r) => server.listen(0, "127.0.0.1", r));
	const port = server.address().port;
	const { ctx, dir } = await browser();
	const [want, zero] = jsonCalls(prefix + ".json");
	if (zero)
		console.log(`# ${zero} calls of 0 ns left out of the comparison (speedscope draws no frame without width)`);
	// PREFIX.chrome.gz: what -o FILE.gz wrote, which speedscope reads as it is
	for (const fmt of ["chrome", "speedscope", "chrome.gz"]) {
		const page = await ctx.newPage();
		const msgs = [];
		let noise = 0;
		page.on("console", (m) => {
			if (m.type() !== "warning" && m.type() !== "error")
				return;
			if (GPU_NOISE.test(m.text()))
				noise++;
			else
				msgs.push(`${m.type()}: ${m.text()}`);
		});
		page.on("pageerror", (e) => msgs.push(`pageerror: ${e.message}`));
		const url = `http://127.0.0.1:${port}/index.html#profileURL=` +
			encodeURIComponent(`http://127.0.0.1:${port}/profiles/trace.${fmt}`);
		await page.goto(url);
		let loaded = true;
		try {
			await page.getByText(/^\W*Export$/).waitFor({ timeout: 30000 });
		} catch (e) {
			loaded = false;
		}
		const body = await page.evaluate(() => document.body.innerText);
		ok(loaded && !/Something went wrong/.test(body), `speedscope loads -f ${fmt}`, body.slice(0, 400));
		if (noise)
			console.log(`# ${noise} WebGL messages of Chromium itself left aside`);
		ok(msgs.length === 0, `speedscope: no console warning or error importing -f ${fmt}`,
			`${msgs.length} messages:\n` + msgs.slice(0, 8).join("\n"));
		if (!loaded) {
			await page.close();
			continue;
		}
		const [dl] = await Promise.all([page.waitForEvent("download"),
			page.getByText(/^\W*Export$/).click()]);
		const doc = JSON.parse(fs.readFileSync(await dl.path(), "utf8"));
		const got = exportedCalls(doc);
		const diff = sameTrees(want, got);
		const ncalls = [...want.values()].reduce((a, v) => a + v.length, 0);
		ok(!diff, `speedscope's call tree from -f ${fmt} equals json's: ${got.size} threads, ${ncalls} calls`,
			diff);
		await page.close();
	}
	await ctx.close();
	fs.rmSync(dir, { recursive: true, force: true });
	server.close();
}

// The folded tree: "a;b;c N" lines into {path: width} for every prefix.
function foldedTree(file) {
	const w = new Map();
	for (const line of fs.readFileSync(file, "utf8").split("\n")) {
		if (!line)
			continue;
		const sp = line.lastIndexOf(" ");
		const frames = line.slice(0, sp).split(";"), count = +line.slice(sp + 1);
		for (let i = 1; i <= frames.length; i++) {
			const k = frames.slice(0, i).join(";");
			w.set(k, (w.get(k) || 0) + count);
		}
	}
	return w;
}

async function svg() {
	const { ctx, dir } = await browser();
	const page = await ctx.newPage();
	const msgs = [];
	page.on("console", (m) => {
		if (m.type() === "warning" || m.type() === "error")
			msgs.push(`${m.type()}: ${m.text()}`);
	});
	page.on("pageerror", (e) => msgs.push(`pageerror: ${e.message}`));
	await page.goto("file://" + path.resolve(prefix + ".svg"));
	const height = await page.evaluate(() => +document.documentElement.getAttribute("height"));
	await page.setViewportSize({ width: 1200, height: Math.min(Math.max(height, 200), 4000) });
	await page.screenshot({ path: shot });
	ok(msgs.length === 0, "svg: renders without console errors", msgs.join("\n"));
	// every frame: its path (names of the frames above it), x, width, depth
	const frames = await page.evaluate(() => {
		const out = [];
		const gs = Array.from(document.querySelectorAll("g.f"));
		const stack = [];
		for (const g of gs) {   // written depth first
			const d = +g.getAttribute("data-d");
			stack.length = d;
			stack.push(g.querySelector("title").textContent.split("\n")[0]);
			const r = g.querySelector("rect");
			out.push({ path: stack.join(";"), w: +g.getAttribute("data-w"), x: +g.getAttribute("data-x"),
				d, px: +r.getAttribute("width"), label: g.querySelector("text").textContent });
		}
		return out;
	});
	const want = foldedTree(prefix + ".folded");
	// frames narrower than the svg's data-min-px are left out of it
	const minPx = await page.evaluate(() => +document.documentElement.getAttribute("data-min-px"));
	const all = [...want].filter(([k]) => !k.includes(";")).reduce((a, [, v]) => a + v, 0);
	for (const [k, v] of [...want])
		if (!(v * (1180 / all) >= minPx))
			want.delete(k);
	let why = null;
	if (frames.length !== want.size)
		why = `${frames.length} frames in the svg, ${want.size} distinct paths (and prefixes) in folded`;
	for (const f of frames)
		if (!why && want.get(f.path) !== f.w)
			why = `${f.path}: width ${f.w} µs in the svg, ${want.get(f.path)} in folded`;
	ok(!why, `svg: ${frames.length} frames, each as wide as its folded subtree (those under ${minPx} px left out)`, why);
	const total = [...want].filter(([k]) => !k.includes(";")).reduce((a, [, v]) => a + v, 0);
	const tops = frames.filter((f) => f.d === 0);
	const px = tops.reduce((a, f) => a + f.px, 0);
	ok(Math.abs(px - 1180) < 0.5 && tops.reduce((a, f) => a + f.w, 0) === total,
		`svg: the outermost frames fill the width (${px.toFixed(1)} px for ${total} µs)`);
	ok(frames.some((f) => f.label.length > 8), "svg: wide frames carry readable labels",
		frames.slice(0, 5).map((f) => JSON.stringify(f.label)).join("\n"));

	// search through the Search button and its prompt
	const term = process.env.SVG_SEARCH || "fib";
	page.once("dialog", (d) => d.accept(term));
	await page.click("#search");
	const s = await page.evaluate((t) => ({
		matched: document.querySelectorAll("g.f.match").length,
		named: Array.from(document.querySelectorAll("g.f")).filter((g) =>
			new RegExp(t).test(g.querySelector("title").textContent.split("\n")[0])).length,
		text: document.getElementById("matched").textContent,
	}), term);
	ok(s.matched > 0 && s.matched === s.named && /^Matched: [0-9.]+%$/.test(s.text) && !/^Matched: 0.0%/.test(s.text),
		`svg: search "${term}" highlights the ${s.named} frames that match (${s.text})`, JSON.stringify(s));

	// zoom: click the widest frame at depth 1 (or 0), by mouse
	const pick = frames.filter((f) => f.d === 1).sort((a, b) => b.w - a.w)[0] || tops[0];
	const idx = frames.indexOf(pick);
	await page.locator("g.f").nth(idx).locator("rect").click();
	const z = await page.evaluate((i) => {
		const gs = Array.from(document.querySelectorAll("g.f"));
		const g = gs[i];
		const inside = gs.filter((h) => +h.getAttribute("data-d") > +g.getAttribute("data-d") &&
			+h.getAttribute("data-x") >= +g.getAttribute("data-x") &&
			+h.getAttribute("data-x") + +h.getAttribute("data-w") <= +g.getAttribute("data-x") + +g.getAttribute("data-w"));
		return {
			width: +g.querySelector("rect").getAttribute("width"),
			hidden: gs.filter((h) => h.classList.contains("hide")).length,
			kids: inside.map((h) => [+h.getAttribute("data-w"), +h.querySelector("rect").getAttribute("width")]),
			unzoom: !document.getElementById("unzoom").classList.contains("hide"),
		};
	}, idx);
	const scale = 1180 / pick.w;
	const scaled = z.kids.every(([w, px]) => Math.abs(w * scale - px) < 0.05);
	ok(Math.abs(z.width - 1180) < 0.05 && scaled && z.unzoom && (z.hidden > 0 || frames.length - 1 === z.kids.length + pick.d),
		`svg: clicking "${pick.path.split(";").pop()}" zooms it to the full width, ${z.kids.length} frames under it scaled, ${z.hidden} others hidden`,
		JSON.stringify({ ...z, kids: z.kids.slice(0, 5) }));
	await page.click("#unzoom");
	const back = await page.evaluate(() => ({
		hidden: document.querySelectorAll("g.f.hide").length,
		px: Array.from(document.querySelectorAll("g.f")).filter((g) => g.getAttribute("data-d") === "0")
			.reduce((a, g) => a + +g.querySelector("rect").getAttribute("width"), 0),
	}));
	ok(back.hidden === 0 && Math.abs(back.px - 1180) < 0.5, "svg: Reset zoom shows every frame again",
		JSON.stringify(back));
	await ctx.close();
	fs.rmSync(dir, { recursive: true, force: true });
}

try {
	if (mode === "speedscope")
		await speedscope();
	else
		await svg();
} catch (e) {
	ok(false, `${mode}: ${e.message.split("\n")[0]}`, e.stack);
}
process.exit(0);   // a browser left behind by a failure ends with us
