// relief serve's page: pick or drop exports, ask the server whether they may be sent, send
// them with a progress bar, follow the job, and show what came back. Plain JavaScript, no
// library, no request to anywhere but the relief server that served this page.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const EXTENSIONS = ['xlsx', 'xlsm', 'xlsb', 'xls', 'ods', 'csv', 'tsv'];
  const NOT_ANSWERING =
    'relief is not answering. Is it still running? Start it again (relief serve), then reload this page.';
  const STEPS = [
    ['send', 'Sending'],
    ['read', 'Reading'],
    ['figures', 'Working out'],
    ['write', 'Writing'],
  ];

  let following = null; // the job this page shows or waits for
  let lastJob = null;

  // ---- small helpers ---------------------------------------------------------------------

  function show(section) {
    for (const id of ['start', 'progress', 'error', 'results']) $(id).hidden = id !== section;
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  function mb(bytes) {
    const v = bytes / 1048576;
    return v >= 10 ? `${Math.round(v)} MB` : `${v.toFixed(1)} MB`;
  }

  async function api(path, options) {
    let resp;
    try {
      resp = await fetch(path, Object.assign({ credentials: 'same-origin', cache: 'no-store' }, options));
    } catch (e) {
      throw new Error(NOT_ANSWERING);
    }
    let body = null;
    try {
      body = await resp.json();
    } catch (e) {
      body = null;
    }
    if (!resp.ok) throw new Error((body && body.error) || `relief answered with an error (${resp.status}).`);
    return body;
  }

  // ---- choosing files --------------------------------------------------------------------

  function isSpreadsheet(name) {
    const dot = name.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.includes(name.slice(dot + 1).toLowerCase());
  }

  // A folder is read as the command line reads one: spreadsheets only, no hidden files and no
  // Office lock files (~$…).
  function fromFolder(list) {
    return list.filter(
      (f) => isSpreadsheet(f.name) && !f.name.split('/').some((p) => p.startsWith('.') || p.startsWith('~$')),
    );
  }

  async function walk(entry, out) {
    if (entry.isFile) {
      const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
      out.push({ file, name: entry.fullPath.replace(/^\/+/, '') });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break;
        for (const e of batch) await walk(e, out);
      }
    }
  }

  async function fromDrop(dataTransfer) {
    const entries = [...dataTransfer.items]
      .filter((i) => i.kind === 'file' && i.webkitGetAsEntry)
      .map((i) => i.webkitGetAsEntry())
      .filter(Boolean);
    if (entries.some((e) => e.isDirectory)) {
      const out = [];
      for (const e of entries) await walk(e, out);
      return fromFolder(out);
    }
    return [...dataTransfer.files].map((file) => ({ file, name: file.name }));
  }

  // ---- sending and following ---------------------------------------------------------------

  // The bar runs once across all four steps: sending takes the first fifth, reading and the
  // figures the next two fifths, writing the reports (one per period) the rest.
  const SPANS = [
    [0, 20],
    [20, 35],
    [35, 45],
    [45, 100],
  ];

  function setStep(text, fraction) {
    $('step-text').textContent = text;
    const index = Math.max(0, STEPS.findIndex(([, word]) => text.startsWith(word)));
    $('steps').querySelectorAll('li').forEach((li, i) => {
      li.className = i < index ? 'done' : i === index ? 'now' : '';
    });
    const writing = /\((\d+) of (\d+)\)/.exec(text);
    let part = fraction;
    if (writing) part = (Number(writing[1]) - 1) / Number(writing[2]);
    const [from, to] = SPANS[index];
    $('bar').value = from + (to - from) * (part === undefined ? 0.5 : part);
  }

  function upload(files) {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      for (const f of files) form.append('file', f.file, f.name);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', '/api/jobs');
      xhr.responseType = 'json';
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) {
          setStep(`Sending the files: ${mb(e.loaded)} of ${mb(e.total)}`, e.loaded / e.total);
        }
      };
      xhr.onload = () => {
        const body = xhr.response;
        if (xhr.status === 202 && body && body.job) resolve(body.job);
        else reject(new Error((body && body.error) || `relief answered with an error (${xhr.status}).`));
      };
      xhr.onerror = () => reject(new Error(NOT_ANSWERING));
      xhr.send(form);
    });
  }

  async function start(chosen) {
    if (!chosen.length) {
      showError('That folder holds no spreadsheet exports (.xlsx, .xlsm, .xlsb, .xls, .ods, .csv or .tsv). Choose another folder, or the files themselves.');
      return;
    }
    following = null;
    show('progress');
    $('progress-title').focus();
    setStep('Sending the files', 0);
    try {
      const verdict = await api('/api/check', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ files: chosen.map((f) => ({ name: f.name, size: f.file.size })) }),
      });
      if (verdict.refusal) throw new Error(verdict.refusal);
      const sending = chosen.filter((f) => !verdict.left_out.includes(f.name));
      $('left-out').textContent = verdict.left_out_note || '';
      $('left-out').hidden = !verdict.left_out_note;
      const job = await upload(sending);
      await follow(job);
    } catch (e) {
      showError(e.message);
    }
  }

  async function follow(job) {
    following = job;
    show('progress');
    for (;;) {
      let status;
      try {
        status = await api(`/api/jobs/${job}`);
      } catch (e) {
        if (following === job) showError(e.message);
        return;
      }
      if (following !== job) return;
      if (status.state === 'done') {
        lastJob = job;
        showResults(job, status.result);
        return;
      }
      if (status.state === 'failed') {
        showError(status.error);
        return;
      }
      setStep(status.state === 'running' ? status.step : 'Sending the files');
      await sleep(400);
    }
  }

  function showError(message) {
    $('error-text').textContent = message;
    show('error');
    $('error-title').focus();
  }

  // ---- the results ---------------------------------------------------------------------

  function showResults(job, r) {
    const next = $('next');
    next.className = `banner outcome-${r.outcome}`;
    $('next-title').textContent =
      r.outcome === 'nothing' ? 'No report could be made' : r.outcome === 'problems' ? 'The report is ready — with problems to fix' : 'The report is ready';
    $('next-text').textContent = r.next;

    $('rows-line').textContent = r.rows_line;
    const files = $('files-read');
    files.replaceChildren();
    for (const f of r.files) {
      const box = el('div', null, 'file');
      box.append(el('p', f.name, 'file-name'));
      const ul = el('ul');
      for (const line of f.lines) ul.append(el('li', line, line.includes('see Problems') ? 'bad' : ''));
      box.append(ul);
      files.append(box);
    }

    const problems = $('problems');
    problems.replaceChildren();
    const count = r.problems.reduce((n, p) => n + p.lines.length, 0);
    $('problems-title').textContent = count ? `Problems (${count})` : 'Problems';
    $('jump-problems').textContent = count ? `Problems (${count})` : 'Problems';
    if (count) {
      $('problems-intro').textContent =
        'Each line says what is wrong, where it is (file, sheet, row) and what to do. Fix these in your practice software, export again, and drop the new files here.';
    } else {
      $('problems-intro').replaceChildren(el('span', 'No problems: every row could be used.', 'ok'));
    }
    for (const p of r.problems) {
      const box = el('div', null, 'problem');
      box.append(el('p', p.file, 'problem-file'));
      const ul = el('ul');
      for (const line of p.lines) ul.append(el('li', line));
      box.append(ul);
      problems.append(box);
    }
    $('once-block').hidden = !r.counted_once.length;
    $('counted-once').replaceChildren(...r.counted_once.map((line) => el('li', line)));

    const hasFigures = r.periods.length > 0;
    $('figures-section').hidden = !hasFigures;
    $('jump-figures').hidden = !hasFigures;
    $('jump-downloads').hidden = !hasFigures;
    if (hasFigures) showPicker(job, r.periods);

    show('results');
    window.scrollTo(0, 0);
    $('next-title').focus();
  }

  function showPicker(job, periods) {
    const months = periods.filter((p) => !p.id.includes('_'));
    const first = months.length ? months[months.length - 1] : periods[0];
    const options = $('picker-options');
    options.replaceChildren();
    for (const p of periods) {
      const label = el('label');
      const input = el('input');
      input.type = 'radio';
      input.name = 'period';
      input.value = p.id;
      input.checked = p === first;
      input.addEventListener('change', () => showPeriod(job, p));
      label.append(input, el('span', p.label));
      options.append(label);
    }
    $('picker').hidden = periods.length < 2;
    showPeriod(job, first);
  }

  function showPeriod(job, p) {
    const base = `/api/jobs/${job}`;
    const rows = p.rows_used === 1 ? '1 row' : `${p.rows_used} rows`;
    $('period-title').textContent = `${p.label} — ${rows} used`;
    // "Lower back (56 rows): soreness fell …" — the region in bold, to scan down the list.
    $('headline').replaceChildren(
      ...p.headline.map((h) => {
        const li = el('li');
        const cut = h.indexOf(': ');
        if (cut > 0) li.append(el('strong', h.slice(0, cut + 1)), ` ${h.slice(cut + 2)}`);
        else li.textContent = h;
        return li;
      }),
    );

    const downloads = $('downloads');
    downloads.replaceChildren();
    for (const d of p.downloads) {
      const a = el('a', d.label);
      a.href = `${base}/files/${encodeURIComponent(p.id)}/${d.kind}`;
      a.download = d.file_name;
      a.dataset.kind = d.kind;
      a.append(el('span', d.file_name));
      const li = el('li');
      li.append(a);
      downloads.append(li);
    }

    const charts = $('charts');
    charts.replaceChildren();
    for (const c of p.charts) {
      const src = `${base}/charts/${encodeURIComponent(p.id)}/${c.file}`;
      const figure = el('figure');
      const img = el('img');
      img.src = src;
      img.alt = `${c.title}, ${p.label}`;
      img.dataset.chart = c.file;
      const caption = el('figcaption');
      const link = el('a', 'Open full size');
      link.href = src;
      link.target = '_blank';
      link.rel = 'noopener';
      link.setAttribute('aria-label', `${c.title}: open full size`);
      caption.append(link);
      figure.append(img, caption);
      charts.append(figure);
    }
  }

  // ---- wiring ------------------------------------------------------------------------------

  function again() {
    following = null;
    $('files').value = '';
    $('folder').value = '';
    show('start');
    $('last-report').hidden = lastJob === null;
    $('pick-files').focus();
  }

  function wire() {
    $('pick-files').addEventListener('click', () => $('files').click());
    $('pick-folder').addEventListener('click', () => $('folder').click());
    $('files').addEventListener('change', (e) => {
      start([...e.target.files].map((file) => ({ file, name: file.name })));
    });
    $('folder').addEventListener('change', (e) => {
      start(fromFolder([...e.target.files].map((file) => ({ file, name: file.webkitRelativePath || file.name }))));
    });
    $('again').addEventListener('click', again);
    $('error-again').addEventListener('click', again);
    $('show-last').addEventListener('click', () => lastJob !== null && follow(lastJob));

    // Files dropped anywhere on the page are taken (instead of the browser opening them).
    const drop = $('drop');
    let depth = 0;
    document.addEventListener('dragenter', (e) => {
      e.preventDefault();
      depth += 1;
      drop.classList.add('over');
    });
    document.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (!depth) drop.classList.remove('over');
    });
    document.addEventListener('dragover', (e) => e.preventDefault());
    document.addEventListener('drop', async (e) => {
      e.preventDefault();
      depth = 0;
      drop.classList.remove('over');
      if (!$('progress').hidden) return;
      start(await fromDrop(e.dataTransfer));
    });
  }

  async function init() {
    wire();
    let info;
    try {
      info = await api('/api/info');
    } catch (e) {
      showError(e.message);
      return;
    }
    $('limits-text').textContent = info.limits_text;
    $('version').textContent = info.version;
    $('network-warning').hidden = !info.network;
    if (info.job !== null && (info.job_state === 'running' || info.job_state === 'uploading')) {
      follow(info.job);
    } else if (info.job !== null && info.job_state === 'done') {
      lastJob = info.job;
      $('last-report').hidden = false;
    }
    document.body.dataset.ready = 'yes';
  }

  init();
})();
