// pytrace's flame graph: zoom (click a frame; Escape or "Reset zoom" to
// undo), search (the Search button or Ctrl-F: a regular expression, matched
// frames turn magenta and "Matched" gives their share), details of the frame
// under the pointer at the bottom (its <title> is the tooltip). Each frame
// <g class="f"> carries data-x and data-w (µs from the left edge, width in
// µs: self time summed over its subtree, as in folded) and data-d (depth).
"use strict";
var svg, frames, details, matchedtext, unzoombtn, searchbtn, W, PAD, TOTAL, CH = 7;
var zoomed = null, searching = null;

function init(evt) {
	svg = document.documentElement;
	frames = Array.prototype.slice.call(document.querySelectorAll("g.f"));
	details = document.getElementById("details").firstChild;
	matchedtext = document.getElementById("matched");
	unzoombtn = document.getElementById("unzoom");
	searchbtn = document.getElementById("search");
	W = +svg.getAttribute("data-width");
	PAD = +svg.getAttribute("data-pad");
	TOTAL = +svg.getAttribute("data-total");
	// the width of one character of the label font, measured once
	var t = frames.length ? frames[0].querySelector("text") : null;
	if (t) {
		var keep = t.textContent;
		t.textContent = "mmmmmmmmmm";
		CH = t.getComputedTextLength() / 10 || 7;
		t.textContent = keep;
	}
	frames.forEach(function (g) {
		g.fx = +g.getAttribute("data-x");
		g.fw = +g.getAttribute("data-w");
		g.fd = +g.getAttribute("data-d");
		g.name = g.querySelector("title").textContent.split("\n")[0];
		g.label = g.getAttribute("data-label");
		g.addEventListener("click", function () { zoom(g); });
		g.addEventListener("mouseover", function () {
			details.nodeValue = g.querySelector("title").textContent.replace(/\n/g, "  ·  ");
		});
		g.addEventListener("mouseout", function () { details.nodeValue = " "; });
	});
	unzoombtn.addEventListener("click", unzoom);
	searchbtn.addEventListener("click", search_prompt);
	window.addEventListener("keydown", function (e) {
		if ((e.ctrlKey || e.metaKey) && e.key === "f") {
			e.preventDefault();
			search_prompt();
		} else if (e.key === "Escape") {
			unzoom();
			reset_search();
		}
	});
	layout(0, TOTAL, -1);
}

// Place every frame for the range [x0, x0 + w) of µs; frames at depth <= d
// that contain the range are its ancestors, drawn full width.
function layout(x0, w, d) {
	var scale = (W - 2 * PAD) / w;
	frames.forEach(function (g) {
		var r = g.querySelector("rect"), t = g.querySelector("text");
		var x, width;
		if (g.fd <= d && g.fx <= x0 && g.fx + g.fw >= x0 + w) {
			x = PAD;
			width = W - 2 * PAD;
			g.classList.add("parent");
		} else if (g.fd > d && g.fx >= x0 && g.fx + g.fw <= x0 + w) {
			x = PAD + (g.fx - x0) * scale;
			width = g.fw * scale;
			g.classList.remove("parent");
		} else {
			g.classList.add("hide");
			return;
		}
		g.classList.remove("hide");
		r.setAttribute("x", x.toFixed(2));
		r.setAttribute("width", Math.max(width, 0).toFixed(2));
		t.setAttribute("x", (x + 3).toFixed(2));
		fit(t, g.label, width);
	});
}

// The label, cut to what fits in width pixels ("..." at the end).
function fit(t, label, width) {
	var n = Math.floor((width - 6) / CH);
	if (n < 3)
		t.textContent = "";
	else if (label.length <= n)
		t.textContent = label;
	else
		t.textContent = label.substring(0, n - 2) + "..";
}

function zoom(g) {
	zoomed = g;
	unzoombtn.classList.remove("hide");
	layout(g.fx, g.fw, g.fd);
	if (searching)
		search(searching);
}

function unzoom() {
	zoomed = null;
	unzoombtn.classList.add("hide");
	layout(0, TOTAL, -1);
	if (searching)
		search(searching);
}

function search_prompt() {
	var term = prompt("Search for frames (regular expression)" +
			  (searching ? ", empty to reset" : ""), searching || "");
	if (term === null)
		return;
	if (term === "")
		reset_search();
	else
		search(term);
}

function reset_search() {
	searching = null;
	frames.forEach(function (g) { g.classList.remove("match"); });
	searchbtn.classList.remove("active");
	matchedtext.textContent = " ";
}

// Highlight the frames whose name matches term; "Matched" is the share of
// the shown range they cover, a match inside a match counted once.
function search(term) {
	var re;
	try {
		re = new RegExp(term);
	} catch (e) {
		re = new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
	}
	searching = term;
	searchbtn.classList.add("active");
	var spans = [];
	frames.forEach(function (g) {
		var m = re.test(g.name);
		g.classList.toggle("match", m);
		if (m && !g.classList.contains("hide") && !g.classList.contains("parent"))
			spans.push([g.fx, g.fx + g.fw]);
	});
	spans.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
	var covered = 0, end = -1;
	spans.forEach(function (s) {
		if (s[0] >= end) {
			covered += s[1] - s[0];
			end = s[1];
		} else if (s[1] > end) {
			covered += s[1] - end;
			end = s[1];
		}
	});
	var range = zoomed ? zoomed.fw : TOTAL;
	var pct = range ? 100 * covered / range : 0;
	matchedtext.textContent = "Matched: " + pct.toFixed(1) + "%";
	return pct;
}
