/* mtaudit review report: the review queue, the document view, filters, keyboard, decisions and judgements.
 *
 * Inlined into the page and allowed by its hash in the Content-Security-Policy. Article text is untrusted: every
 * piece of it reaches the page through textContent, title or dataset, never through HTML parsing.
 */
(function () {
  'use strict';

  var DATA = JSON.parse(document.getElementById('mtaudit-data').textContent);
  var SEVS = DATA.sevs, CATS = DATA.cats, DETS = DATA.dets, DOCS = DATA.docs;
  var BANDS = DATA.bands || [0, 1.5, 5];
  var STORAGE_KEY = 'mtaudit.decisions.v1';
  var DECISIONS_SCHEMA = 'mtaudit-decisions';
  var DECISIONS_VERSION = 1;
  var DECISIONS_FILE = (DATA.run.options || {}).decisions || null;  // the --decisions file the audit applied
  // Judgements: an MQM error marked on any sentence, or "reviewed, no error" (mtaudit/review/judgements.py)
  var REVIEW = DATA.review;
  var JUDGEMENTS_KEY = 'mtaudit.judgements.v1';
  var REVIEWER_KEY = 'mtaudit.reviewer.v1';
  var JUDGEMENTS_VERSION = 1;

  // ---- model ------------------------------------------------------------------------------------------------
  var rows = DATA.rows.map(function (r, i) {
    var row = { i: i, d: r[0], seg: r[1], n: r[2], text: r[3], risk: r[4], sha: r[5], f: [], glued: !!r[7], est: r[8] === undefined ? null : r[8],
      segRisk: r[9] === undefined ? null : r[9], rank: 0,
      hay: null };
    row.f = r[6].map(function (x, k) {
      // prior: the decision the audit applied from its --decisions file (shown as taken, and undoable); note: the
      // reviewer's note from that file
      var f = { row: row, k: k, s: x[0], e: x[1], sev: x[2], cat: x[3], det: x[4], msg: x[5], sug: x[6], conf: x[7],
        occ: x[8], prior: x[9] || null, note: x[10] || null };
      f.span = row.text.slice(f.s, f.e);
      f.key = identityKey(DOCS[row.d].path, row.sha, DETS[f.det], CATS[f.cat], f.span, f.occ);
      return f;
    });
    return row;
  });
  var ranked = rows.slice().sort(function (a, b) { return b.risk - a.risk; });  // stable: ties keep reading order
  ranked.forEach(function (r, k) { r.rank = k + 1; });
  var docRows = DOCS.map(function () { return []; });
  rows.forEach(function (r) { docRows[r.d].push(r); });
  // a sentence's place in an MQM file: its document and its 1-based number there, in reading order (the seg_id)
  docRows.forEach(function (list) {
    list.forEach(function (r, k) { r.seq = k + 1; r.key = JSON.stringify([DOCS[r.d].path, r.seq]); });
  });
  var docByPath = {};
  DOCS.forEach(function (d, k) { if (!Object.prototype.hasOwnProperty.call(docByPath, d.path)) docByPath[d.path] = k; });
  var findingsByKey = {};
  rows.forEach(function (r) { r.f.forEach(function (f) { findingsByKey[f.key] = f; }); });
  var goodDocs = [];
  DOCS.forEach(function (d, k) { if (!d.error) goodDocs.push(k); });

  // A finding's identity across runs (see mtaudit/review/decisions.py): the segment id is recorded but not part of it.
  function identityKey(doc, sha, detector, category, span, occurrence) {
    return JSON.stringify([doc, String(sha).toLowerCase(), detector, category, span, occurrence | 0]);
  }

  function segInfo(r) {
    var m = DATA.segs[r.d];
    return m && Object.prototype.hasOwnProperty.call(m, r.seg) ? m[r.seg] : null;
  }

  function riskBand(v) {
    if (!(v > BANDS[0])) return 'r0';
    if (v < BANDS[1]) return 'r1';
    if (v < BANDS[2]) return 'r2';
    return 'r3';
  }

  function fmtRisk(v) { return (+v).toFixed(2); }
  function plural(n, one, many) { return n.toLocaleString('en') + ' ' + (n === 1 ? one : (many || one + 's')); }

  // ---- DOM helpers: text only ---------------------------------------------------------------------------------
  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function button(cls, text, title) {
    var b = el('button', cls, text);
    b.type = 'button';
    if (title) b.title = title;
    return b;
  }

  // ---- decisions ----------------------------------------------------------------------------------------------
  var store = { map: {}, persistent: true };

  function loadStore() {
    var raw = null;
    try {
      raw = window.localStorage.getItem(STORAGE_KEY);
    } catch (e) {
      store.persistent = false;
      $('storage-warning').hidden = false;
      return;
    }
    var map = storedMap(raw, DECISIONS_VERSION, 'decisions');
    store.map = {};
    // local storage is shared with other local pages: keep only well-formed decisions
    Object.keys(map).forEach(function (k) { if (validDecision(map[k], true)) store.map[k] = map[k]; });
  }

  // 'clear' (kept in local storage only, never exported): a decision the report came with, undone here
  function validDecision(x, clear) {
    return !!x && (x.decision === 'dismiss' || x.decision === 'confirm' || (clear && x.decision === 'clear')) &&
      typeof x.doc === 'string' && typeof x.sentence_sha256 === 'string' && typeof x.span === 'string' &&
      typeof x.detector === 'string' && typeof x.category === 'string';
  }

  function saveStore() {
    persist(STORAGE_KEY, { version: DECISIONS_VERSION, decisions: store.map });
  }

  // What local storage holds under a key, written by persist(): the object at data[field] when data.version is
  // version, else {} (nothing there, another version, or text another page left).
  function storedMap(raw, version, field) {
    var parsed = null;
    try { parsed = raw ? JSON.parse(raw) : null; } catch (e) { parsed = null; }
    var map = parsed && parsed.version === version ? parsed[field] : null;
    return map && typeof map === 'object' ? map : {};
  }

  // One place writes local storage; when it cannot, the page says its decisions and judgements last this visit only.
  function persist(key, data) {
    if (!store.persistent) return;
    try {
      window.localStorage.setItem(key, JSON.stringify(data));
    } catch (e) {
      store.persistent = false;
      $('storage-warning').hidden = false;
    }
  }

  // A decision taken on this page (in local storage) wins over the one the report came with.
  function decisionOf(f) {
    var d = store.map[f.key];
    if (d) return d.decision === 'clear' ? null : d.decision;
    return f.prior;
  }

  function decisionItem(f, decision) {
    var r = f.row;
    var item = {
      decision: decision, doc: DOCS[r.d].path, segment: String(r.seg), sentence: r.n, sentence_sha256: r.sha,
      detector: DETS[f.det], category: CATS[f.cat], span: f.span, occurrence: f.occ, message: f.msg
    };
    if (f.note) item.note = f.note;
    return item;
  }

  function setDecision(f, decision) {
    if (!decision && !f.prior) {
      delete store.map[f.key];
    } else {
      store.map[f.key] = decisionItem(f, decision || 'clear');
      store.map[f.key].decided = new Date().toISOString();
    }
    saveStore();
  }

  function decisionCounts() {
    var out = { dismiss: 0, confirm: 0 };
    rows.forEach(function (r) {
      r.f.forEach(function (f) { var d = decisionOf(f); if (d) out[d]++; });
    });
    return out;
  }

  function exportedDecisions() {
    var paths = {}, byKey = {};
    DOCS.forEach(function (d) { paths[d.path] = true; });
    // the decisions the report came with, then this page's own (which replace or undo them); a decision in local
    // storage on a finding this report does not show stays in the file: it may still apply
    rows.forEach(function (r) {
      r.f.forEach(function (f) { if (f.prior) byKey[f.key] = decisionItem(f, f.prior); });
    });
    Object.keys(store.map).forEach(function (k) {
      var x = store.map[k];
      if (!paths[x.doc]) return;
      if (x.decision === 'clear') delete byKey[k];
      else byKey[k] = x;
    });
    var list = Object.keys(byKey).map(function (k) { return byKey[k]; });
    list.sort(function (a, b) {
      return a.doc.localeCompare(b.doc) ||
        String(a.segment || '').localeCompare(String(b.segment || ''), 'en', { numeric: true }) ||
        ((a.sentence | 0) - (b.sentence | 0)) || a.detector.localeCompare(b.detector) ||
        a.span.localeCompare(b.span) || ((a.occurrence | 0) - (b.occurrence | 0));
    });
    return {
      schema: DECISIONS_SCHEMA, version: DECISIONS_VERSION, exported: new Date().toISOString(),
      report: { version: DATA.run.version || null, started: DATA.run.started || null }, decisions: list
    };
  }

  function exportDecisions() {
    var payload = exportedDecisions();
    download(JSON.stringify(payload, null, 2) + '\n', 'application/json', 'mtaudit-decisions-' + stamp() + '.json');
    toast('Exported ' + plural(payload.decisions.length, 'decision') + '. Apply them with mtaudit audit --decisions FILE.');
  }

  function importDecisions(text) {
    var data;
    try { data = JSON.parse(text); } catch (e) { toast('Not a JSON file: ' + e.message, true); return; }
    if (!data || data.schema !== DECISIONS_SCHEMA || data.version !== DECISIONS_VERSION || !Array.isArray(data.decisions)) {
      toast('Not an mtaudit decisions file (version ' + DECISIONS_VERSION + ').', true);
      return;
    }
    var n = 0;
    data.decisions.forEach(function (x) {
      if (!validDecision(x)) return;
      store.map[identityKey(x.doc, x.sentence_sha256, x.detector, x.category, x.span, x.occurrence)] = x;
      n++;
    });
    saveStore();
    refresh(true);
    toast('Imported ' + plural(n, 'decision') + '.');
  }

  // ---- judgements ---------------------------------------------------------------------------------------------
  // One entry per sentence a reviewer touched, under its key (document path, number in the document):
  //   {doc, seg, text, rater, at, done, errors: [{s, e, cat, sev, rater, note, at}]}
  // done: reviewed as a whole (an error marked, "no error" given, or read back from an MQM file). A sentence is
  // reviewed when done, or when every one of its findings is decided and one was decided here. Its errors are its
  // marked ones and its confirmed findings; a reviewed sentence without any is No-error. s/e are UTF-16 offsets in
  // the sentence (s === e: something missing at that point; both null: a row of an imported file that marked none).
  var judged = { map: {}, rater: '' };

  function loadJudgements() {
    var raw = null, name = null;
    try {
      raw = window.localStorage.getItem(JUDGEMENTS_KEY);
      name = window.localStorage.getItem(REVIEWER_KEY);
    } catch (e) {
      return;  // loadStore has said so
    }
    var map = storedMap(raw, JUDGEMENTS_VERSION, 'sentences');
    judged.map = {};
    // local storage is shared with other local pages: keep only well-formed entries, under their own key
    Object.keys(map).forEach(function (k) {
      var x = map[k];
      if (validEntry(x) && k === JSON.stringify([x.doc, x.seg])) judged.map[k] = x;
    });
    judged.rater = validName(name) ? name : '';
  }

  function validName(x) { return typeof x === 'string' && x.trim() === x && x.length > 0 && x.length <= 80 && !/[\t\r\n]/.test(x); }
  function validLabel(x) { return typeof x === 'string' && x.length > 0 && x.length <= 120 && !/[\t\r\n]/.test(x); }

  function validEntry(x) {
    return !!x && typeof x === 'object' && typeof x.doc === 'string' && Number.isInteger(x.seg) && x.seg > 0 &&
      typeof x.text === 'string' && typeof x.rater === 'string' && typeof x.done === 'boolean' &&
      Array.isArray(x.errors) && x.errors.every(function (j) { return validError(j, x.text.length); });
  }

  function validError(j, length) {
    if (!j || typeof j !== 'object' || !validLabel(j.cat) || !validLabel(j.sev) || !validName(j.rater)) return false;
    if (j.note !== undefined && typeof j.note !== 'string') return false;
    if (j.s === null && j.e === null) return true;
    return Number.isInteger(j.s) && Number.isInteger(j.e) && j.s >= 0 && j.s <= j.e && j.e <= length;
  }

  function saveJudgements() {
    persist(JUDGEMENTS_KEY, { version: JUDGEMENTS_VERSION, sentences: judged.map });
  }

  // the entry of a sentence, when it was made on this very text (a later report may have changed the sentence)
  function entryOf(r) {
    var x = judged.map[r.key];
    return x && x.text === r.text ? x : null;
  }

  function touch(r) {
    var x = entryOf(r);
    if (!x) x = judged.map[r.key] = { doc: DOCS[r.d].path, seg: r.seq, text: r.text, rater: '', at: '', done: false, errors: [] };
    if (judged.rater) x.rater = judged.rater;
    x.at = new Date().toISOString();
    return x;
  }

  function reviewed(r) {
    var x = entryOf(r);
    if (!x) return false;
    return x.done || (r.f.length > 0 && r.f.every(function (f) { return !!decisionOf(f); }));
  }

  function capital(s) { return s.charAt(0).toUpperCase() + s.slice(1); }

  // every error of a sentence: the ones marked on it, then its confirmed findings, each as an MQM row would say it
  function errorsOf(r) {
    var x = entryOf(r);
    var out = x ? x.errors.map(function (j, k) { return { s: j.s, e: j.e, cat: j.cat, sev: j.sev, rater: j.rater, note: j.note || '', k: k }; }) : [];
    r.f.forEach(function (f) {
      if (decisionOf(f) === 'confirm') {
        out.push({ s: f.s, e: f.e, cat: CATS[f.cat], sev: capital(SEVS[f.sev]), rater: x ? x.rater : '', note: f.note || '', finding: f });
      }
    });
    return out;
  }

  function tsvField(t) { return String(t === null || t === undefined ? '' : t).replace(/[\t\r\n]/g, ' '); }

  function marked(text, s, e) {
    if (s === null) return text;
    return text.slice(0, s) + '<v>' + text.slice(s, e) + '</v>' + text.slice(e);
  }

  // Google's error rows: one per error, a No-error row for a sentence reviewed clean; reading order
  function mqmRows() {
    var out = [];
    rows.forEach(function (r) {
      if (!reviewed(r)) return;
      var seg = segInfo(r);
      var head = [REVIEW.system, DOCS[r.d].path, r.d + 1, r.seq];
      var source = seg && seg[0] ? seg[0] : '';
      var errs = errorsOf(r);
      if (!errs.length) {
        out.push(head.concat([entryOf(r).rater, source, r.text, REVIEW.none, REVIEW.none]));
        return;
      }
      errs.forEach(function (j) { out.push(head.concat([j.rater, source, marked(r.text, j.s, j.e), j.cat, j.sev])); });
    });
    return out;
  }

  function exportMqm() {
    var missing = rows.some(function (r) { return reviewed(r) && (!entryOf(r).rater || errorsOf(r).some(function (j) { return !j.rater; })); });
    if (missing && !judged.rater) { askRater(exportMqm); return; }
    if (missing) {
      // decisions taken before a name was given carry the name given since
      Object.keys(judged.map).forEach(function (k) { if (!judged.map[k].rater) judged.map[k].rater = judged.rater; });
      saveJudgements();
    }
    var list = mqmRows();
    var lines = [REVIEW.columns.join('\t')].concat(list.map(function (row) { return row.map(tsvField).join('\t'); }));
    download(lines.join('\n') + '\n', 'text/tab-separated-values', 'mtaudit-review-' + stamp() + '.tsv');
    toast('Exported ' + plural(list.length, 'MQM row') + '. Read them with mtaudit eval --mqm FILE or mtaudit calibrate --mqm FILE.');
  }

  function stamp() { return new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-'); }

  function download(text, type, name) {
    var blob = new Blob([text], { type: type });
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 2000);
  }

  // <v>…</v> out of a marked text: the plain text and the spans, as mtaudit.evaluation.mqm.strip_spans reads them
  function stripSpans(text) {
    var re = /<\/?v>/g, plain = '', spans = [], open = null, at = 0, m;
    while ((m = re.exec(text))) {
      plain += text.slice(at, m.index);
      at = re.lastIndex;
      if (m[0] === '<v>') open = plain.length;
      else if (open !== null) { spans.push([open, plain.length]); open = null; }
    }
    plain += text.slice(at);
    if (open !== null) spans.push([open, plain.length]);
    return { text: plain, spans: spans };
  }

  // An earlier MQM export of this report, read back to go on with the review: each sentence it names gets the
  // judgements it holds (a row that is one of the sentence's findings confirms that finding).
  function importMqm(text) {
    var lines = text.replace(/^\ufeff/, '').split(/\r\n|\n|\r/);
    var header = lines[0].split('\t').map(function (h) { return h.trim().toLowerCase(); });
    var col = {};
    header.forEach(function (h, k) { col[h] = k; });
    var missing = REVIEW.columns.filter(function (c) { return col[c] === undefined; });
    if (missing.length) { toast('Not an MQM file: no column ' + missing.join(', ') + '.', true); return; }
    var groups = {}, order = [], skipped = 0, read = 0;
    for (var n = 1; n < lines.length; n++) {
      if (!lines[n].trim()) continue;
      var f = lines[n].split('\t');
      var d = docByPath[f[col.doc]];
      var r = f.length === header.length && d !== undefined ? docRows[d][parseInt(f[col.seg_id], 10) - 1] : null;
      var target = stripSpans(f[col.target] || '');
      var rater = (f[col.rater] || '').trim(), cat = (f[col.category] || '').trim(), sev = (f[col.severity] || '').trim();
      if (!r || target.text !== tsvField(r.text) || !validName(rater) || !validLabel(cat) || !validLabel(sev)) { skipped++; continue; }
      if (!groups[r.i]) { groups[r.i] = []; order.push(r); }
      // the page holds one review per sentence: a second reviewer's rows on it are left out (calibrate combines
      // several reviewers' files; this is for going on with one review)
      if (groups[r.i][0] && groups[r.i][0].rater !== rater) { skipped++; continue; }
      groups[r.i].push({ rater: rater, cat: cat, sev: sev, span: target.spans[0] || null });
      read++;
    }
    var now = new Date().toISOString();
    order.forEach(function (r) {
      var items = groups[r.i];
      var x = judged.map[r.key] = { doc: DOCS[r.d].path, seg: r.seq, text: r.text, rater: items[0].rater, at: now, done: true, errors: [] };
      items.forEach(function (it) {
        if (it.cat === REVIEW.none || it.sev === REVIEW.none) return;
        var s = it.span ? it.span[0] : null, e = it.span ? it.span[1] : null;
        var f = r.f.filter(function (g) { return g.s === s && g.e === e && CATS[g.cat] === it.cat && capital(SEVS[g.sev]) === it.sev; })[0];
        if (f) { if (decisionOf(f) !== 'confirm') setDecision(f, 'confirm'); return; }
        x.errors.push({ s: s, e: e, cat: it.cat, sev: it.sev, rater: it.rater, note: '', at: now });
      });
    });
    saveJudgements();
    refresh(true);
    toast('Imported ' + plural(read, 'MQM row') + ' on ' + plural(order.length, 'sentence') +
      (skipped ? '; ' + plural(skipped, 'row') + ' left out (another report, a sentence that changed, or a second ' +
        'reviewer of a sentence)' : '') + '.', skipped > 0 && !read);
  }

  function askRater(then) {
    var box = $('reviewer');
    box.hidden = false;
    box.pending = then || null;
    var input = $('reviewer-input');
    input.value = judged.rater;
    input.focus();
    input.select();
  }

  function closeRater(ok) {
    var box = $('reviewer'), then = box.pending;
    var name = $('reviewer-input').value.replace(/\s+/g, ' ').trim();
    if (ok && !validName(name)) { $('reviewer-input').focus(); return; }
    box.hidden = true;
    box.pending = null;
    $('reviewer-input').blur();
    if (!ok) return;
    judged.rater = name;
    try { window.localStorage.setItem(REVIEWER_KEY, name); } catch (e) { /* kept for this visit only */ }
    updateDecisionSummary();
    if (then) then();
  }

  function withRater(action) {
    if (judged.rater) action(); else askRater(action);
  }

  // "reviewed, no error": the sentence's open findings were not errors
  function markClean(r) {
    if (errorsOf(r).length) {
      toast('This sentence has errors marked: Delete removes the last one.', true);
      return;
    }
    r.f.forEach(function (f) { if (!decisionOf(f)) setDecision(f, 'dismiss'); });
    touch(r).done = true;
    saveJudgements();
    nextAfter(r);
  }

  function nextAfter(r) {
    var list = navList();
    var at = list.indexOf(r);
    refresh(true);
    var after = navList();
    var r2 = after.indexOf(r) >= 0 ? after[after.indexOf(r) + 1] : after[at];
    if (r2) select(r2, firstOpen(r2), true); else select(r, 0, false);
  }

  // Delete: the sentence's last marked error, else its last confirmation, else its review as a whole
  function removeLast(r) {
    var x = entryOf(r);
    var confirmed = r.f.filter(function (f) { return decisionOf(f) === 'confirm'; });
    if (x && x.errors.length) x.errors.pop();
    else if (confirmed.length) setDecision(confirmed[confirmed.length - 1], null);
    else if (reviewed(r)) { unreview(r); return; }
    else return;
    saveJudgements();
    refresh(true);
    select(r, state.selF, false);
  }

  function removeError(r, k) {
    var x = entryOf(r);
    if (!x || !x.errors[k]) return;
    x.errors.splice(k, 1);
    saveJudgements();
    refresh(true);
    select(r, state.selF, false);
  }

  // back to not reviewed: the "no error" mark goes, and with it the dismissals taken here on the sentence
  function unreview(r) {
    var x = entryOf(r);
    if (x) x.done = false;
    r.f.forEach(function (f) { if (decisionOf(f) === 'dismiss' && store.map[f.key]) setDecision(f, null); });
    saveJudgements();
    refresh(true);
    select(r, state.selF, false);
  }

  function describeSpan(r, s, e) {
    if (s === null) return 'no span marked';
    if (s === 0 && e === r.text.length) return 'whole sentence';
    if (s === e) {
      var before = r.text.slice(Math.max(0, s - 18), s);
      return 'missing at ‸ after “…' + before + '”';
    }
    return '“' + r.text.slice(s, e) + '”';
  }

  function judgementItems(r) {
    var items = [];
    var x = entryOf(r);
    if (!x) return items;
    x.errors.forEach(function (j, k) {
      var li = el('li', 'judgement');
      li.dataset.row = r.i;
      li.dataset.j = k;
      li.appendChild(el('span', 'sev ' + j.sev.toLowerCase(), j.sev));
      var what = el('div', 'what');
      var line = el('div');
      line.appendChild(el('span', 'cat', j.cat));
      line.appendChild(el('span', 'det', j.rater));
      what.appendChild(line);
      what.appendChild(el('div', 'msg', describeSpan(r, j.s, j.e)));
      if (j.note) what.appendChild(el('div', 'note', j.note));
      li.appendChild(what);
      var actions = el('div', 'actions');
      actions.appendChild(button('act jremove', 'Remove', 'Remove this error (Delete removes the last one)'));
      li.appendChild(actions);
      items.push(li);
    });
    if (reviewed(r) && !errorsOf(r).length) {
      var ok = el('li', 'judgement clean');
      ok.dataset.row = r.i;
      ok.appendChild(el('span', 'sev none', 'no error'));
      ok.appendChild(el('div', 'what', 'Reviewed, no error' + (x.rater ? ' · ' + x.rater : '')));
      var acts = el('div', 'actions');
      acts.appendChild(button('act junreview', 'Undo', 'Back to not reviewed (Delete)'));
      ok.appendChild(acts);
      items.push(ok);
    }
    return items;
  }

  function reviewCounts() {
    var inQueue = state.visible.length, done = 0, all = 0;
    state.visible.forEach(function (r) { if (reviewed(r)) done++; });
    rows.forEach(function (r) { if (reviewed(r)) all++; });
    return { queue: inQueue, done: done, all: all };
  }

  // ---- marking an error ---------------------------------------------------------------------------------------
  var WORD = /\p{Script=Han}|[^\s\p{Script=Han}\p{P}\p{S}]+|[\p{P}\p{S}]/gu;
  var CAT_KEYS = '1234567890abcdefghijklmpqrtuvxyz';  // n, o and s name Non-translation!, Other and Source error
  var FIXED_KEYS = { 'Non-translation!': 'n', 'Other': 'o', 'Source error': 's' };
  var SEV_KEYS = [['1', 'Minor'], ['2', 'Major'], ['3', 'Critical'], ['4', 'Non-translation']];
  var annCats = (function () {
    var fixed = REVIEW.cats.filter(function (c) { return FIXED_KEYS[c]; });
    var names = REVIEW.cats.filter(function (c) { return !FIXED_KEYS[c]; });
    CATS.forEach(function (c) { if (REVIEW.cats.indexOf(c) < 0) names.push(c); });  // a category only a finding uses
    names = names.concat(fixed);
    var k = 0;
    return names.map(function (name) {
      return { name: name, key: FIXED_KEYS[name] || CAT_KEYS.charAt(k++) || '' };
    });
  })();
  var ann = null;

  function words(text) {
    var out = [], m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) out.push([m.index, m.index + m[0].length]);
    return out;
  }

  // the sentence text the mouse selected, as offsets in row r (or null)
  function mouseSpan() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    var range = sel.getRangeAt(0);
    var node = range.commonAncestorContainer;
    var holder = (node.nodeType === 1 ? node : node.parentNode).closest('.sentence, #doc-body .s');
    if (!holder) return null;
    var rowEl = holder.closest('[data-row]');
    if (!rowEl || !rows[+rowEl.dataset.row]) return null;
    function offset(container, at) {
      var pre = document.createRange();
      pre.selectNodeContents(holder);
      pre.setEnd(container, at);
      return pre.toString().length;
    }
    var r = rows[+rowEl.dataset.row];
    var s = offset(range.startContainer, range.startOffset), e = offset(range.endContainer, range.endOffset);
    if (!(e > s) || e > r.text.length) return null;
    return { r: r, s: s, e: e };
  }

  function startAnnotation() {
    var picked = mouseSpan();
    var r = picked ? picked.r : state.sel;
    if (!r) return;
    if (picked && r !== state.sel) select(r, firstOpen(r), false);
    withRater(function () {
      var w = words(r.text);
      ann = { r: r, words: w, mode: 'whole', s: 0, e: r.text.length, step: 'span', cat: null, sev: null };
      if (picked) { ann.mode = 'span'; ann.s = picked.s; ann.e = picked.e; ann.step = 'cat'; }
      window.getSelection().removeAllRanges();
      $('ann-note').value = '';
      $('ann-where').textContent = '· ' + DOCS[r.d].path + ' · sentence ' + r.seq;
      buildChoices();
      $('annotate').hidden = false;
      drawAnnotation();
    });
  }

  function buildChoices() {
    var cats = $('ann-cats');
    if (!cats.childNodes.length) {
      annCats.forEach(function (c, k) {
        var b = button('choice', null, c.name);
        b.dataset.k = k;
        b.appendChild(el('kbd', null, c.key));
        // a long MQM path may wrap after each "/" rather than inside a word
        (' ' + c.name).split('/').forEach(function (part, j, parts) {
          b.appendChild(document.createTextNode(part + (j < parts.length - 1 ? '/' : '')));
          if (j < parts.length - 1) b.appendChild(document.createElement('wbr'));
        });
        cats.appendChild(b);
      });
      SEV_KEYS.forEach(function (pair, k) {
        var b = button('choice sev-choice ' + pair[1].toLowerCase(), null, pair[1]);
        b.dataset.k = k;
        b.appendChild(el('kbd', null, pair[0]));
        b.appendChild(document.createTextNode(' ' + pair[1]));
        $('ann-sevs').appendChild(b);
      });
    }
  }

  function drawAnnotation() {
    var r = ann.r, p = $('ann-sentence');
    var s = ann.s, e = ann.e;
    var frag = document.createDocumentFragment();
    frag.appendChild(document.createTextNode(r.text.slice(0, s)));
    var m = el('mark', 'ann-mark' + (s === e ? ' caret' : ''), r.text.slice(s, e));
    frag.appendChild(m);
    frag.appendChild(document.createTextNode(r.text.slice(e)));
    p.replaceChildren(frag);
    $('ann-span').textContent = 'Span: ' + describeSpan(r, s, e);
    var steps = document.querySelectorAll('#annotate .ann-step');
    for (var k = 0; k < steps.length; k++) steps[k].classList.toggle('current', steps[k].dataset.step === ann.step);
    var cats = $('ann-cats').childNodes;
    for (var c = 0; c < cats.length; c++) cats[c].setAttribute('aria-pressed', String(annCats[c].name === ann.cat));
    var sevs = $('ann-sevs').childNodes;
    for (var v = 0; v < sevs.length; v++) {
      sevs[v].setAttribute('aria-pressed', String(SEV_KEYS[v][1] === ann.sev && ann.cat !== REVIEW.nontrans ||
        (v === 3 && ann.cat === REVIEW.nontrans)));
    }
    $('annotate').dataset.step = ann.step;
    if (ann.step === 'note') $('ann-note').focus(); else $('ann-note').blur();
  }

  // the words the span covers, as [first, last] indexes (the nearest word when it covers none)
  function spanWords() {
    var w = ann.words, a = -1, b = -1;
    for (var k = 0; k < w.length; k++) {
      if (w[k][1] > ann.s && w[k][0] < ann.e) { if (a < 0) a = k; b = k; }
    }
    if (a < 0) { for (a = 0; a < w.length && w[a][0] < ann.s; a++); b = a; }
    return [a, b];
  }

  function setWords(a, b) {
    var w = ann.words;
    if (!w.length) return;
    a = Math.max(0, Math.min(w.length - 1, a));
    b = Math.max(a, Math.min(w.length - 1, b));
    ann.mode = 'span';
    ann.s = w[a][0];
    ann.e = w[b][1];
  }

  function spanKey(key, shift) {
    var w = ann.words, ab = spanWords();
    if (key === 'w') { ann.mode = 'whole'; ann.s = 0; ann.e = ann.r.text.length; return true; }
    if (key === 'o') {
      var at = ann.mode === 'whole' || !w.length ? ann.r.text.length : w[Math.min(ab[0], w.length - 1)][0];
      ann.mode = 'point'; ann.s = ann.e = at; return true;
    }
    if (key !== 'ArrowLeft' && key !== 'ArrowRight') return false;
    var right = key === 'ArrowRight';
    if (ann.mode === 'point') {
      // the points: before each word, and the end of the sentence
      var points = w.map(function (x) { return x[0]; }).concat([ann.r.text.length]);
      var k = points.indexOf(ann.s);
      if (shift && right && k >= 0 && k < w.length) { setWords(k, k); return true; }
      if (k < 0) k = 0;
      ann.s = ann.e = points[Math.max(0, Math.min(points.length - 1, k + (right ? 1 : -1)))];
      return true;
    }
    if (ann.mode === 'whole') { if (!shift) setWords(right ? 0 : w.length - 1, right ? 0 : w.length - 1); return true; }
    if (shift) setWords(ab[0], ab[1] + (right ? 1 : -1));
    else setWords(ab[0] + (right ? 1 : -1), ab[0] + (right ? 1 : -1));
    return true;
  }

  function pickCategory(k) {
    ann.cat = annCats[k].name;
    if (ann.cat === REVIEW.nontrans) nonTranslation();
    else ann.step = 'sev';
  }

  // Google's campaigns marked a non-translation on the whole segment, category Non-translation!, severity Major
  function nonTranslation() {
    ann.cat = REVIEW.nontrans;
    ann.sev = 'Major';
    ann.mode = 'whole'; ann.s = 0; ann.e = ann.r.text.length;
    ann.step = 'note';
  }

  function pickSeverity(k) {
    if (SEV_KEYS[k][1] === 'Non-translation') { nonTranslation(); return; }
    if (ann.cat === REVIEW.nontrans) ann.cat = null;
    ann.sev = SEV_KEYS[k][1];
    ann.step = ann.cat ? 'note' : 'cat';
  }

  function annotateKey(ev) {
    var key = ev.key, inNote = ev.target === $('ann-note');
    if (key === 'Escape') { closeAnnotation(); ev.preventDefault(); return; }
    if (key === 'Enter') {
      ev.preventDefault();
      if (ann.step === 'span') ann.step = ann.cat ? (ann.sev ? 'note' : 'sev') : 'cat';
      else if (ann.cat && ann.sev) { saveAnnotation(); return; }
      drawAnnotation();
      return;
    }
    if (inNote) return;  // typing a note
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var handled = true;
    if (key === 'Backspace') {
      ann.step = { cat: 'span', sev: 'cat', note: 'sev' }[ann.step] || 'span';
    } else if (key === 'Tab') {
      ann.step = { span: 'cat', cat: 'sev', sev: 'note', note: 'span' }[ann.step];
    } else if (ann.step === 'span') {
      handled = spanKey(key, ev.shiftKey);
    } else if (ann.step === 'cat') {
      var k = -1;
      for (var c = 0; c < annCats.length; c++) if (annCats[c].key === key.toLowerCase()) k = c;
      if (k >= 0) pickCategory(k); else handled = false;
    } else if (ann.step === 'sev') {
      var v = -1;
      for (var j = 0; j < SEV_KEYS.length; j++) if (SEV_KEYS[j][0] === key) v = j;
      if (v >= 0) pickSeverity(v); else handled = false;
    } else {
      handled = false;
    }
    if (handled) { ev.preventDefault(); drawAnnotation(); }
  }

  function saveAnnotation() {
    if (!ann || !ann.cat || !ann.sev) return;
    var r = ann.r, x = touch(r);
    var item = { s: ann.s, e: ann.e, cat: ann.cat, sev: ann.sev, rater: judged.rater, at: x.at };
    var note = $('ann-note').value.replace(/\s+/g, ' ').trim();
    if (note) item.note = note;
    x.errors.push(item);
    x.done = true;
    saveJudgements();
    closeAnnotation();
    refresh(true);
    select(r, state.selF, false);
    toast('Marked: ' + item.sev.toLowerCase() + ' ' + item.cat + ', ' + describeSpan(r, item.s, item.e) + '.');
  }

  function closeAnnotation() {
    $('annotate').hidden = true;
    $('ann-note').blur();
    ann = null;
  }

  var toastTimer = null;
  function toast(message, bad) {
    var t = $('toast');
    if (!t) {
      t = el('div', 'toast');
      t.id = 'toast';
      t.setAttribute('role', 'status');
      document.body.appendChild(t);
    }
    t.textContent = message;
    t.className = 'toast show' + (bad ? ' bad' : '');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.className = 'toast'; }, 4000);
  }

  // ---- highlighting -------------------------------------------------------------------------------------------
  // Cut the sentence at every finding boundary; each piece is covered by zero or more findings and is marked with
  // the most severe open one, so overlapping spans stay visible (a double underline marks an overlap).
  // Errors a reviewer marked on the sentence are outlined the same way (mark.judged).
  function highlighted(r, container) {
    var text = r.text, fs = r.f, x = entryOf(r);
    var js = x ? x.errors.filter(function (j) { return j.s !== null; }) : [];
    if (!fs.length && !js.length) { appendText(container, text); return; }
    var cuts = [0, text.length];
    fs.forEach(function (f) { cuts.push(f.s, f.e); });
    js.forEach(function (j) { cuts.push(j.s, j.e); });
    cuts = cuts.filter(function (v, k, a) { return a.indexOf(v) === k; }).sort(function (a, b) { return a - b; });
    for (var k = 0; k < cuts.length; k++) {
      var a = cuts[k], b = cuts[k + 1];
      fs.forEach(function (f) {  // zero-width findings (something missing here) get a caret
        if (f.s === f.e && f.s === a) container.appendChild(markFor([f], ''));
      });
      js.forEach(function (j) { if (j.s === j.e && j.s === a) container.appendChild(judgedMark([j], '')); });
      if (b === undefined || b <= a) continue;
      var cover = fs.filter(function (f) { return f.s <= a && f.e >= b && f.s < f.e; });
      var jcover = js.filter(function (j) { return j.s <= a && j.e >= b && j.s < j.e; });
      var piece = text.slice(a, b);
      if (cover.length) {
        var m = container.appendChild(markFor(cover, piece));
        if (jcover.length) { m.classList.add('judged'); m.title += '\n' + judgedTitle(jcover); }
      } else if (jcover.length) {
        container.appendChild(judgedMark(jcover, piece));
      } else {
        appendText(container, piece);
      }
    }
  }

  function judgedTitle(list) {
    return list.map(function (j) { return j.sev + ' · ' + j.cat + ' (marked by ' + j.rater + ')'; }).join('\n');
  }

  function judgedMark(list, piece) {
    var m = el('mark', 'judged' + (piece ? '' : ' caret'));
    appendText(m, piece);
    m.title = judgedTitle(list);
    return m;
  }

  // Text, with the words of the current search marked so a name can be followed through the batch.
  function appendText(container, text) {
    var q = state.q.trim().toLowerCase();
    if (!q || !text) { container.appendChild(document.createTextNode(text)); return; }
    var lower = text.toLowerCase(), at = 0, hit;
    // toLowerCase can change a string's length (e.g. 'İ'); then offsets would not line up, so mark nothing
    if (lower.length !== text.length) { container.appendChild(document.createTextNode(text)); return; }
    while ((hit = lower.indexOf(q, at)) >= 0) {
      if (hit > at) container.appendChild(document.createTextNode(text.slice(at, hit)));
      container.appendChild(el('mark', 'search', text.slice(hit, hit + q.length)));
      at = hit + q.length;
    }
    if (at < text.length) container.appendChild(document.createTextNode(text.slice(at)));
  }

  function markFor(cover, piece) {
    var open = cover.filter(function (f) { return decisionOf(f) !== 'dismiss'; });
    var shown = open.length ? open : cover;
    var sev = Math.min.apply(null, shown.map(function (f) { return f.sev; }));
    var m = el('mark', 'hl ' + SEVS[sev]);
    appendText(m, piece);
    if (!piece) m.classList.add('caret');
    if (cover.length > 1) m.classList.add('overlap');
    if (!open.length) m.classList.add('done');
    if (cover.some(function (f) { return decisionOf(f) === 'confirm'; })) m.classList.add('confirmed');
    m.dataset.f = cover.map(function (f) { return f.k; }).join(' ');
    m.title = cover.map(function (f) { return SEVS[f.sev] + ' · ' + CATS[f.cat] + ': ' + f.msg; }).join('\n');
    return m;
  }

  function findingItem(f, compact) {
    var li = el('li', 'finding');
    var decision = decisionOf(f);
    li.dataset.f = f.k;
    li.dataset.row = f.row.i;
    if (decision) li.classList.add('is-' + decision);
    li.appendChild(el('span', 'sev ' + SEVS[f.sev], SEVS[f.sev]));
    var what = el('div', 'what');
    var line = el('div');
    if (compact) line.appendChild(el('span', 'muted', 's' + (f.row.n + 1) + ' '));
    line.appendChild(el('span', 'cat', CATS[f.cat]));
    line.appendChild(el('span', 'det', DETS[f.det]));
    what.appendChild(line);
    what.appendChild(el('div', 'msg', f.msg));
    if (f.sug) what.appendChild(el('div', 'sug', f.sug));
    if (f.note) {
      var note = el('div', 'note', f.note);
      note.title = 'The reviewer\'s note, from ' + (DECISIONS_FILE || 'the decisions file');
      what.appendChild(note);
    }
    li.appendChild(what);
    var actions = el('div', 'actions');
    if (decision) {
      var taken = el('span', 'state ' + decision, decision === 'dismiss' ? 'dismissed' : 'confirmed');
      if (decision === f.prior && !store.map[f.key]) {
        taken.title = 'Decided in an earlier round: ' + (DECISIONS_FILE || '--decisions');
      }
      actions.appendChild(taken);
      actions.appendChild(button('act undo', 'Undo', 'Clear this decision (u)'));
    } else {
      actions.appendChild(button('act dismiss', 'Dismiss', 'False positive: leave it out of the next run (x)'));
      actions.appendChild(button('act confirm', 'Confirm', 'A real error (c)'));
    }
    li.appendChild(actions);
    return li;
  }

  // ---- filters ------------------------------------------------------------------------------------------------
  var state = {
    view: 'overview', q: '', doc: -1, minRisk: 0, status: 'all', flagged: true,
    sevs: allSet(SEVS), cats: allSet(CATS), dets: allSet(DETS),
    page: 0, pageSize: 50, visible: [], sel: null, selF: 0, docShown: -1, gPending: false
  };

  function allSet(list) { var s = {}; list.forEach(function (x, k) { s[k] = true; }); return s; }
  function setSize(s) { return Object.keys(s).length; }

  function haystack(r) {
    if (r.hay === null) {
      var parts = [r.text, DOCS[r.d].path];
      r.f.forEach(function (f) { parts.push(f.msg, f.sug || '', CATS[f.cat], DETS[f.det]); });
      var seg = segInfo(r);
      if (seg) parts.push(seg[0] || '', seg[1] || '');
      r.hay = parts.join('\n').toLowerCase();
    }
    return r.hay;
  }

  function statusOk(f) {
    if (state.status === 'all') return true;
    var d = decisionOf(f);
    return state.status === 'open' ? !d : d === state.status;
  }

  var counts = null;
  function applyFilters() {
    var narrowed = state.flagged || state.status !== 'all' || setSize(state.sevs) < SEVS.length ||
      setSize(state.cats) < CATS.length || setSize(state.dets) < DETS.length;
    var q = state.q.trim().toLowerCase();
    var c = { sev: SEVS.map(zero), cat: CATS.map(zero), det: DETS.map(zero), doc: DOCS.map(zero), findings: 0 };
    var visible = [];
    for (var k = 0; k < ranked.length; k++) {
      var r = ranked[k];
      if (r.risk < state.minRisk) continue;
      if (q && haystack(r).indexOf(q) < 0) continue;
      // each facet counts what it would show with the other filters as they are
      var docOk = state.doc < 0 || r.d === state.doc;
      var any = false, anyElsewhere = false;
      for (var j = 0; j < r.f.length; j++) {
        var f = r.f[j];
        var okSev = !!state.sevs[f.sev], okCat = !!state.cats[f.cat], okDet = !!state.dets[f.det], okSt = statusOk(f);
        var all = okSev && okCat && okDet && okSt;
        if (all) anyElsewhere = true;
        if (!docOk) continue;
        if (okCat && okDet && okSt) c.sev[f.sev]++;
        if (okSev && okDet && okSt) c.cat[f.cat]++;
        if (okSev && okCat && okSt) c.det[f.det]++;
        if (all) { any = true; c.findings++; }
      }
      if (anyElsewhere || !narrowed) c.doc[r.d]++;
      if (docOk && (any || !narrowed)) visible.push(r);
    }
    state.visible = visible;
    counts = c;
  }

  function zero() { return 0; }

  function buildFacet(id, names, key, dots) {
    var box = $(id);
    names.forEach(function (name, k) {
      var label = el('label');
      var cb = document.createElement('input');
      cb.type = 'checkbox';
      cb.checked = true;
      cb.dataset.facet = key;
      cb.dataset.value = k;
      label.appendChild(cb);
      if (dots) label.appendChild(el('span', 'dot ' + name));
      var nm = el('span', 'name');
      // a long MQM path may wrap after each "/" rather than be cut off
      name.split('/').forEach(function (part, j, parts) {
        nm.appendChild(document.createTextNode(part + (j < parts.length - 1 ? '/' : '')));
        if (j < parts.length - 1) nm.appendChild(document.createElement('wbr'));
      });
      nm.title = name;
      label.appendChild(nm);
      var only = button('only', 'only', 'Show only ' + name);
      only.dataset.facet = key;
      only.dataset.value = k;
      label.appendChild(only);
      label.appendChild(el('span', 'n', '0'));
      box.appendChild(label);
    });
    if (!names.length) box.appendChild(el('div', 'muted', 'no findings'));
  }

  function updateFacetCounts() {
    var options = $('f-doc').options;
    for (var o = 1; o < options.length; o++) {
      options[o].textContent = DOCS[+options[o].value].path + ' (' + counts.doc[+options[o].value] + ')';
    }
    [['facet-sev', 'sevs', counts.sev], ['facet-cat', 'cats', counts.cat], ['facet-det', 'dets', counts.det]]
      .forEach(function (spec) {
        var labels = $(spec[0]).querySelectorAll('label');
        for (var k = 0; k < labels.length; k++) {
          labels[k].querySelector('.n').textContent = spec[2][k].toLocaleString('en');
          labels[k].querySelector('input').checked = !!state[spec[1]][k];
          labels[k].classList.toggle('zero', spec[2][k] === 0);
        }
      });
  }

  // ---- review queue -------------------------------------------------------------------------------------------
  function renderRow(r) {
    var art = el('article', 'row ' + riskBand(r.risk) + (reviewed(r) ? ' reviewed' : ''));
    art.setAttribute('role', 'listitem');
    art.tabIndex = -1;
    art.dataset.row = r.i;
    art.dataset.doc = DOCS[r.d].path;
    art.dataset.segment = r.seg;
    art.dataset.sentence = r.n;
    art.dataset.risk = r.risk;
    var head = el('div', 'row-head');
    head.appendChild(el('span', 'rank', '#' + r.rank));
    head.appendChild(el('span', 'risk-pill ' + riskBand(r.risk), fmtRisk(r.risk)));
    var name = el('span', 'doc-name', DOCS[r.d].path);
    name.title = DOCS[r.d].path;
    head.appendChild(name);
    var loc = el('span', 'loc', '¶ ' + r.seg + ' · sentence ' + (r.n + 1));
    if (r.segRisk !== null) {
      loc.appendChild(document.createTextNode(' · '));
      var whole = el('span', 'seg-risk', '¶ risk ' + fmtRisk(r.segRisk));
      whole.title = "The paragraph's risk: the sum of its sentences' risks, the MQM penalty expected for the whole paragraph";
      loc.appendChild(whole);
    }
    head.appendChild(loc);
    var open = button('btn btn-link open-doc', 'Open in document', 'Read this sentence in its article (o)');
    head.appendChild(open);
    head.appendChild(button('btn btn-link mark-error', 'Mark error', 'Mark an error on this sentence: select its text first, or pick the span with the keys (e)'));
    head.appendChild(button('btn btn-link mark-clean', 'No error', 'Reviewed, no error (r)'));
    art.appendChild(head);

    var seg = segInfo(r);
    var body = el('div', 'row-body' + (seg ? ' with-source' : ''));
    var target = el('div', 'target-pane');
    if (seg) target.appendChild(el('div', 'pane-label', 'Target'));
    var p = el('p', 'sentence');
    highlighted(r, p);
    target.appendChild(p);
    body.appendChild(target);
    if (seg) {
      var src = el('div', 'source-pane');
      if (seg[0]) {
        src.appendChild(el('div', 'pane-label', 'Source · paragraph ' + r.seg));
        appendText(src.appendChild(el('p', 'source')), seg[0]);
      }
      if (seg[1]) {
        src.appendChild(el('div', 'pane-label', 'Reference'));
        appendText(src.appendChild(el('p', 'reference')), seg[1]);
      }
      body.appendChild(src);
    }
    art.appendChild(body);
    var judgements = judgementItems(r);
    if (r.f.length || judgements.length) {
      var ul = el('ul', 'findings');
      r.f.forEach(function (f) { ul.appendChild(findingItem(f, false)); });
      judgements.forEach(function (li) { ul.appendChild(li); });
      art.appendChild(ul);
    }
    if (r.est !== null) {
      // the trained estimator's share of the risk: one named line beside the findings
      var est = el('p', 'estimator', 'Trained estimator: ' + (r.est >= 0 ? '+' : '') + fmtRisk(r.est) + ' of the risk ' +
                   fmtRisk(r.risk));
      est.title = 'What the quality estimator read in the translation given its source (mtaudit/models/ESTIMATOR.md)';
      art.appendChild(est);
    }
    return art;
  }

  function pageCount() { return Math.max(1, Math.ceil(state.visible.length / state.pageSize)); }

  function renderQueue() {
    var list = $('queue-list');
    var total = state.visible.length;
    state.page = Math.min(state.page, pageCount() - 1);
    var from = state.page * state.pageSize, to = Math.min(total, from + state.pageSize);
    var frag = document.createDocumentFragment();
    for (var k = from; k < to; k++) frag.appendChild(renderRow(state.visible[k]));
    if (!total) frag.appendChild(el('div', 'empty', 'No sentence matches these filters.'));
    list.replaceChildren(frag);
    $('queue-count').textContent = plural(total, 'sentence') + ' · ' + plural(counts.findings, 'finding') +
      (total !== rows.length ? '  (of ' + rows.length.toLocaleString('en') + ' sentences)' : '');
    $('page-info').textContent = total ? (from + 1).toLocaleString('en') + '–' + to.toLocaleString('en') + ' of ' +
      total.toLocaleString('en') : '';
    $('page-prev').disabled = state.page === 0;
    $('page-next').disabled = state.page >= pageCount() - 1;
    updateFacetCounts();
    markSelection(false);
  }

  function refresh(keepPage) {
    applyFilters();
    if (!keepPage) {
      // new filters: start again from the top of the new list
      state.page = 0;
      state.sel = state.visible[0] || null;
      state.selF = state.sel ? firstOpen(state.sel) : 0;
    }
    renderQueue();
    updateDecisionSummary();
    if (state.view === 'doc' && state.docShown >= 0) renderDoc(state.docShown, null, true);
  }

  function updateDecisionSummary() {
    var c = decisionCounts();
    $('decision-summary').textContent = c.dismiss + ' dismissed · ' + c.confirm + ' confirmed';
    $('export-decisions').textContent = 'Export decisions (' + exportedDecisions().decisions.length + ')';
    var rc = reviewCounts();
    $('review-progress').textContent = rc.done + ' / ' + rc.queue + ' in queue reviewed';
    $('review-progress').title = rc.all + ' of ' + rows.length + ' sentences reviewed in all';
    $('export-mqm').textContent = 'Export MQM (' + mqmRows().length + ')';
    $('reviewer-name').textContent = 'Reviewer: ' + (judged.rater || '–');
  }

  // ---- selection and keyboard ---------------------------------------------------------------------------------
  function navList() {
    if (state.view === 'doc' && state.docShown >= 0) {
      return docRows[state.docShown].filter(function (r) { return r.f.length; });
    }
    return state.visible;
  }

  function select(r, selF, scroll) {
    state.sel = r;
    state.selF = selF || 0;
    if (r && state.view === 'queue') {
      var idx = state.visible.indexOf(r);
      var page = Math.floor(idx / state.pageSize);
      if (idx >= 0 && page !== state.page) { state.page = page; renderQueue(); return markSelection(scroll); }
    }
    markSelection(scroll);
  }

  function markSelection(scroll) {
    var scope = state.view === 'doc' ? $('doc-body') : $('queue-list');
    var old = document.querySelectorAll('.selected, .finding.active');
    for (var k = 0; k < old.length; k++) old[k].classList.remove('selected', 'active');
    if (!state.sel) return;
    var target = scope.querySelector((state.view === 'doc' ? '.s' : '.row') + '[data-row="' + state.sel.i + '"]');
    if (!target) return;
    target.classList.add('selected');
    var items = scope.querySelectorAll('.finding[data-row="' + state.sel.i + '"]');
    if (items[state.selF]) items[state.selF].classList.add('active');
    if (scroll) target.scrollIntoView({ block: 'nearest' });
  }

  function move(step) {
    var list = navList();
    if (!list.length) return;
    var idx = state.sel ? list.indexOf(state.sel) : -1;
    var next = idx < 0 ? (step > 0 ? 0 : list.length - 1) : Math.max(0, Math.min(list.length - 1, idx + step));
    var r = list[next];
    select(r, firstOpen(r), true);
  }

  // where a review left off: the next sentence of the list that nobody has reviewed
  function nextUnreviewed() {
    var list = navList();
    for (var k = (state.sel ? list.indexOf(state.sel) : -1) + 1; k < list.length; k++) {
      if (!reviewed(list[k])) { select(list[k], firstOpen(list[k]), true); return; }
    }
    toast('Every sentence after this one is reviewed.');
  }

  function firstOpen(r) {
    for (var k = 0; k < r.f.length; k++) if (!decisionOf(r.f[k])) return k;
    return 0;
  }

  function decide(decision) {
    var r = state.sel;
    if (!r || !r.f.length) return;
    var f = r.f[Math.min(state.selF, r.f.length - 1)];
    setDecision(f, decision);
    touch(r);  // a decision is part of the sentence's review, under the reviewer's name
    saveJudgements();
    var next = -1;
    if (decision) {
      for (var k = 1; k <= r.f.length; k++) {
        var cand = (f.k + k) % r.f.length;
        if (!decisionOf(r.f[cand])) { next = cand; break; }
      }
    }
    var list = navList();
    var at = list.indexOf(r);
    refresh(true);
    if (decision && next < 0) {
      // every finding of this sentence decided: go on to the next sentence, as a reviewer would
      var after = navList();
      var r2 = after.indexOf(r) >= 0 ? after[after.indexOf(r) + 1] : after[at];
      if (r2) { select(r2, firstOpen(r2), true); return; }
      select(r, f.k, false);
    } else {
      select(r, next < 0 ? f.k : next, false);
    }
  }

  function openInDocument(r) {
    location.hash = '#doc=' + r.d + '&row=' + r.i;
  }

  function onKey(ev) {
    if (!$('annotate').hidden) { annotateKey(ev); return; }
    if (!$('reviewer').hidden) {
      if (ev.key === 'Escape' || ev.key === 'Enter') { ev.preventDefault(); closeRater(ev.key === 'Enter'); }
      return;
    }
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var t = ev.target;
    var typing = t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
    if (ev.key === 'Escape') {
      if (!$('help').hidden) { $('help').hidden = true; return; }
      if (typing) { t.blur(); return; }
      if (state.view === 'doc') { location.hash = '#queue'; return; }
      return;
    }
    if (typing) return;
    if (state.gPending) {
      state.gPending = false;
      var dest = { o: '#overview', q: '#queue', d: '#doc' }[ev.key];
      if (dest) { location.hash = dest; ev.preventDefault(); }
      return;
    }
    var key = ev.key;
    if (key === '?') { $('help').hidden = !$('help').hidden; ev.preventDefault(); return; }
    if (key === 'g') { state.gPending = true; return; }
    if (state.view === 'overview') return;
    var handled = true;
    if (key === 'j') move(1);
    else if (key === 'k') move(-1);
    else if (key === 'x') decide('dismiss');
    else if (key === 'c') decide('confirm');
    else if (key === 'u') decide(null);
    else if (key === 'J') nextUnreviewed();
    else if (key === 'e') startAnnotation();
    else if (key === 'a' && state.view === 'queue') {
      state.flagged = !state.flagged;
      $('f-flagged').checked = state.flagged;
      refresh(false);
    }
    else if (key === 'r' && state.sel) { var r = state.sel; withRater(function () { markClean(r); }); }
    else if (key === 'Delete' && state.sel) removeLast(state.sel);
    else if (key === 'n' && state.sel) select(state.sel, Math.min(state.sel.f.length - 1, state.selF + 1), false);
    else if (key === 'p' && state.sel) select(state.sel, Math.max(0, state.selF - 1), false);
    else if (key === 'o' && state.sel && state.view === 'queue') openInDocument(state.sel);
    else if (key === '/') { showView('queue'); if (location.hash !== '#queue') location.hash = '#queue'; $('f-search').focus(); }
    else handled = false;
    if (handled) ev.preventDefault();
  }

  // ---- document view ------------------------------------------------------------------------------------------
  function renderDoc(d, focusRow, keepScroll) {
    state.docShown = d;
    $('doc-select').value = String(d);
    var doc = DOCS[d];
    var body = $('doc-body');
    var y = window.scrollY;
    var frag = document.createDocumentFragment();
    frag.appendChild(el('h1', null, doc.path));
    frag.appendChild(el('div', 'doc-meta', 'risk ' + fmtRisk(doc.risk) + ' · ' + plural(doc.sentences, 'sentence') + ' · ' +
      plural(doc.findings, 'finding') + ' · ' + plural(doc.segments, 'paragraph') + (doc.format ? ' · ' + doc.format : '') + (doc.langs ? ' · ' + doc.langs : '') +
      (doc.dismissed ? ' · ' + doc.dismissed + ' dismissed by decisions' : '')));
    if (doc.error) frag.appendChild(el('p', 'error', doc.error));
    (doc.warnings || []).forEach(function (w) { frag.appendChild(el('p', 'warning', 'warning: ' + w)); });
    var groups = [];
    docRows[d].forEach(function (r) {
      var g = groups[groups.length - 1];
      if (!g || g.seg !== r.seg) groups.push(g = { seg: r.seg, rows: [] });
      g.rows.push(r);
    });
    groups.forEach(function (g) {
      var seg = segInfo(g.rows[0]);
      var para = el('section', 'para' + (seg ? ' with-source' : ''));
      var num = para.appendChild(el('div', 'para-num', g.seg));
      if (g.rows[0].segRisk !== null) {
        num.appendChild(el('span', 'seg-risk', fmtRisk(g.rows[0].segRisk)));
        num.title = "paragraph " + g.seg + " · risk " + fmtRisk(g.rows[0].segRisk) + " (the sum of its sentences' risks)";
      }
      var p = el('p', 'para-text');
      var items = [];
      g.rows.forEach(function (r, k) {
        if (k > 0 && !r.glued) p.appendChild(document.createTextNode(' '));
        // only a sentence with a finding still open or confirmed is tinted by its risk: with the model most clean
        // sentences of news have some risk, and tinting them all tinted almost the whole article
        var open = r.f.some(function (f) { return decisionOf(f) !== 'dismiss'; });
        var s = el('span', 's' + (open ? ' ' + riskBand(r.risk) : '') + (r.f.length ? ' flagged' : '') +
          (reviewed(r) ? ' reviewed' : ''));
        s.dataset.row = r.i;
        s.title = 'sentence ' + (r.n + 1) + ' · risk ' + fmtRisk(r.risk);
        highlighted(r, s);
        p.appendChild(s);
        r.f.forEach(function (f) { items.push(findingItem(f, true)); });
        items = items.concat(judgementItems(r));
      });
      para.appendChild(p);
      if (seg) {
        var src = el('div', 'para-source');
        if (seg[0]) appendText(src.appendChild(el('div', 'source')), seg[0]);
        if (seg[1]) appendText(src.appendChild(el('div', 'reference')), seg[1]);
        para.appendChild(src);
      }
      if (items.length) {
        var ul = el('ul', 'para-findings');
        items.forEach(function (li) { ul.appendChild(li); });
        para.appendChild(ul);
      }
      frag.appendChild(para);
    });
    body.replaceChildren(frag);
    $('doc-stats').textContent = (goodDocs.indexOf(d) + 1) + ' of ' + goodDocs.length;
    if (focusRow) {
      state.sel = focusRow;
      state.selF = firstOpen(focusRow);
      markSelection(false);
      var s = body.querySelector('.s[data-row="' + focusRow.i + '"]');
      if (s) { s.scrollIntoView({ block: 'center' }); s.classList.add('flash'); }
    } else {
      if (state.sel && state.sel.d !== d) state.sel = null;
      markSelection(false);
      if (keepScroll) window.scrollTo(0, y); else window.scrollTo(0, 0);
    }
  }

  // ---- views and routing --------------------------------------------------------------------------------------
  function showView(view) {
    state.view = view;
    var views = document.querySelectorAll('.view');
    for (var k = 0; k < views.length; k++) views[k].hidden = views[k].dataset.view !== view;
    var tabs = document.querySelectorAll('.tabs a');
    for (var j = 0; j < tabs.length; j++) {
      if (tabs[j].dataset.view === view) tabs[j].setAttribute('aria-current', 'page');
      else tabs[j].removeAttribute('aria-current');
    }
  }

  function route() {
    routeTo(location.hash.replace(/^#/, ''));
    document.documentElement.dataset.route = location.hash;  // tells tests the view for this address is drawn
  }

  function routeTo(h) {
    if (h.indexOf('doc') === 0) {
      var m = /^doc=(\d+)(?:&row=(\d+))?/.exec(h);
      var d = m ? +m[1] : (state.sel ? state.sel.d : (state.docShown >= 0 ? state.docShown : defaultDoc()));
      if (!(d >= 0 && d < DOCS.length)) d = defaultDoc();
      showView('doc');
      if (d < 0) { $('doc-body').replaceChildren(el('p', 'muted', 'No document could be read.')); return; }
      var focus = m && m[2] !== undefined ? rows[+m[2]] : (state.sel && state.sel.d === d ? state.sel : null);
      renderDoc(d, focus || null, false);
    } else if (h === 'queue') {
      showView('queue');
      // back from the document view: show the page holding the sentence reviewed there
      if (state.sel && state.visible.indexOf(state.sel) >= 0) select(state.sel, state.selF, true);
      else markSelection(true);
    } else {
      showView('overview');
    }
  }

  function defaultDoc() {
    if (ranked.length) return ranked[0].d;
    return goodDocs.length ? goodDocs[0] : -1;
  }

  // ---- wiring -------------------------------------------------------------------------------------------------
  function wire() {
    buildFacet('facet-sev', SEVS, 'sevs', true);
    buildFacet('facet-cat', CATS, 'cats', false);
    buildFacet('facet-det', DETS, 'dets', false);
    var docSel = $('f-doc'), docView = $('doc-select');
    goodDocs.forEach(function (k) {
      var o = el('option', null, DOCS[k].path);
      o.value = String(k);
      docSel.appendChild(o);
      var o2 = el('option', null, DOCS[k].path);
      o2.value = String(k);
      docView.appendChild(o2);
    });

    ['facet-sev', 'facet-cat', 'facet-det'].forEach(function (id) {
      $(id).addEventListener('change', function (ev) {
        var cb = ev.target;
        if (!cb.dataset.facet) return;
        if (cb.checked) state[cb.dataset.facet][cb.dataset.value] = true;
        else delete state[cb.dataset.facet][cb.dataset.value];
        refresh(false);
      });
      $(id).addEventListener('click', function (ev) {
        var b = ev.target.closest('button.only');
        if (!b) return;
        ev.preventDefault();
        state[b.dataset.facet] = {};
        state[b.dataset.facet][b.dataset.value] = true;
        refresh(false);
      });
    });
    var searchTimer = null;
    $('f-search').addEventListener('input', function (ev) {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () { state.q = ev.target.value; refresh(false); }, 120);
    });
    docSel.addEventListener('change', function () { state.doc = docSel.value === '' ? -1 : +docSel.value; refresh(false); });
    $('f-risk').addEventListener('input', function (ev) {
      var v = parseFloat(ev.target.value);
      state.minRisk = v > 0 ? v : 0;
      $('f-risk-value').textContent = fmtRisk(state.minRisk);
      refresh(false);
    });
    $('f-flagged').addEventListener('change', function (ev) { state.flagged = ev.target.checked; refresh(false); });
    $('f-status').addEventListener('click', function (ev) {
      var b = ev.target.closest('button[data-status]');
      if (!b) return;
      state.status = b.dataset.status;
      var all = $('f-status').querySelectorAll('button');
      for (var k = 0; k < all.length; k++) all[k].setAttribute('aria-pressed', String(all[k] === b));
      refresh(false);
    });
    $('f-reset').addEventListener('click', resetFilters);
    $('page-size').addEventListener('change', function (ev) { state.pageSize = +ev.target.value; refresh(false); });
    function turnPage(step) {
      state.page = Math.max(0, Math.min(pageCount() - 1, state.page + step));
      state.sel = state.visible[state.page * state.pageSize] || null;
      state.selF = state.sel ? firstOpen(state.sel) : 0;
      renderQueue();
      window.scrollTo(0, 0);
    }
    $('page-prev').addEventListener('click', function () { turnPage(-1); });
    $('page-next').addEventListener('click', function () { turnPage(1); });

    function onFindingClick(ev) {
      var jb = ev.target.closest('button.jremove, button.junreview, button.mark-error, button.mark-clean');
      var jRow = jb && jb.closest('[data-row]');
      if (jb && jRow) {
        var jr = rows[+jRow.dataset.row];
        if (jb.classList.contains('jremove')) removeError(jr, +jb.closest('.judgement').dataset.j);
        else if (jb.classList.contains('junreview')) unreview(jr);
        else {
          if (state.sel !== jr) select(jr, firstOpen(jr), false);
          if (jb.classList.contains('mark-error')) startAnnotation(); else withRater(function () { markClean(jr); });
        }
        return;
      }
      var act = ev.target.closest('button.act');
      var li = ev.target.closest('.finding');
      var open = ev.target.closest('.open-doc');
      var rowEl = ev.target.closest('[data-row]');
      if (open && rowEl) { openInDocument(rows[+rowEl.dataset.row]); return; }
      if (li) {
        var r = rows[+li.dataset.row], k = +li.dataset.f;
        state.sel = r;
        state.selF = k;
        if (act) {
          decide(act.classList.contains('dismiss') ? 'dismiss' : act.classList.contains('confirm') ? 'confirm' : null);
          return;
        }
        markSelection(false);
        return;
      }
      if (rowEl && rows[+rowEl.dataset.row]) {
        var row = rows[+rowEl.dataset.row];
        select(row, firstOpen(row), false);
      }
    }
    $('queue-list').addEventListener('click', onFindingClick);
    $('doc-body').addEventListener('click', onFindingClick);
    function hot(ev, on) {
      var li = ev.target.closest('.finding');
      if (!li) return;
      var scope = state.view === 'doc' ? $('doc-body') : $('queue-list');
      var owner = scope.querySelector((state.view === 'doc' ? '.s' : '.row') + '[data-row="' + li.dataset.row + '"]');
      if (!owner) return;
      var marks = owner.querySelectorAll('mark.hl');
      for (var k = 0; k < marks.length; k++) {
        if ((' ' + marks[k].dataset.f + ' ').indexOf(' ' + li.dataset.f + ' ') >= 0) marks[k].classList.toggle('hot', on);
      }
    }
    ['queue-list', 'doc-body'].forEach(function (id) {
      $(id).addEventListener('mouseover', function (ev) { hot(ev, true); });
      $(id).addEventListener('mouseout', function (ev) { hot(ev, false); });
    });

    docView.addEventListener('change', function () { location.hash = '#doc=' + docView.value; });
    $('doc-prev').addEventListener('click', function () { stepDoc(-1); });
    $('doc-next').addEventListener('click', function () { stepDoc(1); });
    $('doc-back').addEventListener('click', function () { location.hash = '#queue'; });

    $('export-decisions').addEventListener('click', exportDecisions);
    $('import-decisions').addEventListener('click', function () { $('import-file').click(); });
    $('import-file').addEventListener('change', function (ev) {
      var file = ev.target.files && ev.target.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        var text = String(reader.result);
        // an MQM export is a TSV whose header names its columns; a decisions file is JSON
        if (/^\ufeff?[^{\[\n]*\t/.test(text)) importMqm(text); else importDecisions(text);
        ev.target.value = '';
      };
      reader.readAsText(file);
    });
    $('show-help').addEventListener('click', function () { $('help').hidden = false; });
    $('export-mqm').addEventListener('click', exportMqm);
    $('reviewer-name').addEventListener('click', function () { askRater(null); });
    $('reviewer-ok').addEventListener('click', function () { closeRater(true); });
    $('reviewer-cancel').addEventListener('click', function () { closeRater(false); });
    $('ann-save').addEventListener('click', saveAnnotation);
    $('ann-cancel').addEventListener('click', closeAnnotation);
    $('ann-cats').addEventListener('click', function (ev) {
      var b = ev.target.closest('button.choice');
      if (b && ann) { pickCategory(+b.dataset.k); drawAnnotation(); }
    });
    $('ann-sevs').addEventListener('click', function (ev) {
      var b = ev.target.closest('button.choice');
      if (b && ann) { pickSeverity(+b.dataset.k); drawAnnotation(); }
    });
    $('help-close').addEventListener('click', function () { $('help').hidden = true; });
    $('help').addEventListener('click', function (ev) { if (ev.target === $('help')) $('help').hidden = true; });

    wireOverview();
    document.addEventListener('keydown', onKey);
    window.addEventListener('hashchange', route);
    window.addEventListener('storage', function (ev) {
      if (ev.key !== STORAGE_KEY && ev.key !== JUDGEMENTS_KEY && ev.key !== REVIEWER_KEY) return;
      loadStore();
      loadJudgements();
      refresh(true);
    });
  }

  function stepDoc(step) {
    var k = goodDocs.indexOf(state.docShown) + step;
    if (k >= 0 && k < goodDocs.length) location.hash = '#doc=' + goodDocs[k];
  }

  function resetFilters() {
    state.q = ''; state.doc = -1; state.minRisk = 0; state.status = 'all'; state.flagged = true;
    state.sevs = allSet(SEVS); state.cats = allSet(CATS); state.dets = allSet(DETS);
    $('f-search').value = ''; $('f-doc').value = ''; $('f-risk').value = '0'; $('f-risk-value').textContent = '0';
    $('f-flagged').checked = true;
    var all = $('f-status').querySelectorAll('button');
    for (var k = 0; k < all.length; k++) all[k].setAttribute('aria-pressed', String(all[k].dataset.status === 'all'));
    refresh(false);
  }

  function wireOverview() {
    var table = $('doc-table');
    var sortState = { key: 'risk', dir: -1 };
    table.querySelector('thead').addEventListener('click', function (ev) {
      var b = ev.target.closest('button.sort');
      if (!b) return;
      var key = b.dataset.sort;
      sortState.dir = sortState.key === key ? -sortState.dir : (key === 'path' ? 1 : -1);
      sortState.key = key;
      var body = table.tBodies[0];
      var trs = Array.prototype.slice.call(body.rows).filter(function (tr) { return tr.dataset.doc !== undefined; });
      trs.sort(function (a, b2) {
        var x = a.dataset[key], y = b2.dataset[key];
        var c = key === 'path' ? x.localeCompare(y) : (+x) - (+y);
        return c * sortState.dir;
      });
      trs.forEach(function (tr) { body.appendChild(tr); });
      var heads = table.querySelectorAll('button.sort');
      for (var k = 0; k < heads.length; k++) {
        if (heads[k] === b) heads[k].setAttribute('aria-sort', sortState.dir > 0 ? 'ascending' : 'descending');
        else heads[k].removeAttribute('aria-sort');
      }
    });
    function chartClick(ev) {
      var g = ev.target.closest('.bar-link');
      if (!g) return;
      resetFilters();
      if (g.dataset.minRisk !== undefined) {
        state.minRisk = +g.dataset.minRisk;
        $('f-risk').value = String(state.minRisk);
        $('f-risk-value').textContent = fmtRisk(state.minRisk);
      }
      if (g.dataset.category !== undefined) {
        var k = CATS.indexOf(g.dataset.category);
        if (k >= 0) { state.cats = {}; state.cats[k] = true; }
      }
      refresh(false);
      location.hash = '#queue';
    }
    var charts = document.querySelectorAll('svg.chart');
    for (var k = 0; k < charts.length; k++) {
      charts[k].addEventListener('click', chartClick);
      charts[k].addEventListener('keydown', function (ev) { if (ev.key === 'Enter') chartClick(ev); });
    }
  }

  // ---- start --------------------------------------------------------------------------------------------------
  loadStore();
  loadJudgements();
  wire();
  applyFilters();
  renderQueue();
  updateDecisionSummary();
  if (state.visible.length) state.sel = state.visible[0];
  route();
  document.documentElement.dataset.ready = 'true';
  if (window.performance && performance.mark) performance.mark('mtaudit-ready');  // read by the benchmark
})();
