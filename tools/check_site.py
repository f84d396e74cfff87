"""Check the built docs site: every page statically, and some pages in headless Chromium.

Every page of the site (_site/ by default) is read first, and the check fails if

- an API entry (tools/docs.py marks each with `div.api-entry`) has no "source" link, or the link does not lead to a
  source block on the same page holding the entry's `def`/`class` line, highlighted;
- an API entry of something that takes parameters has no parameter table;
- a link leads to a host outside the site other than the references in `REFERENCE_HOSTS` (papers, the official code,
  the libraries we build on); in particular to a host the project does not have (a GitHub repository or site of its own);
- a page names one of the project's internal files (`INTERNAL_FILES`): students read the paper, not our notes.

Then the site is served on 127.0.0.1 and each page of `PAGES` is loaded, in an iframe, by a small harness page that
waits for MathJax and for every image, then writes what it found into its own DOM, which `chromium --headless
--dump-dom` prints. For each page:

- every formula (Sphinx's `.math` elements) was typeset by MathJax (an `mjx-container`, no `mjx-merror`), and
  no raw TeX (`$x^2$`, `\\(`) is left in the text; pages that must have formulas have them;
- every image loaded (`naturalWidth > 0`); pages that must have figures have them;
- pages that must show code (`code`: that many highlighted code blocks) and API entries (`api`) have them, and every
  entry's parameter table is inside its own section;
- no code block or table runs out of the text column (nothing hidden behind a scroll bar or under the sidebar);
- on pages that ask (`linked_rows`), every row of every table links to a page of the site;
- nothing was fetched from outside the site (the site works offline) and no fetch failed (HTTP errors);
- the page has its navigation links; and the search page finds a word and shows a snippet of text for each result.

    python tools/check_site.py [--site DIR]              # exit 1 with the reasons if a check fails
    python tools/check_site.py --screenshots DIR         # also save a PNG of each page of PAGES into DIR

Needs Chromium (Debian: `apt-get install chromium`).
"""
import argparse, functools, html, html.parser, http.server, json, re, shutil, subprocess, sys, tempfile, threading
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
# (page, what it must have): the landing page, a component page with formulas, figures and API entries, the kernel's
# page, the model's page (a class grown method by method), the first tutorial, and the search page
PAGES = [('index.html', dict(math=0, images=1, nav=2, linked_rows=1)),
         ('losses.html', dict(math=20, images=4, nav=10, code=10, api=5)),
         ('roi_align.html', dict(math=3, images=2, nav=10, code=10, api=2)),
         ('model.html', dict(math=0, images=1, nav=10, code=10, api=10)),
         ('tutorials/train_builtin.html', dict(math=0, images=2, nav=4, code=5)),
         ('search.html?q=focal', dict(math=0, images=0, nav=2, search=1))]
# Hosts a page may link to: the papers, the official RetinaMask code and the projects it builds on, and the libraries'
# documentation. Nothing of the project's own: it has no repository host and no published site besides this one.
REFERENCE_HOSTS = {'arxiv.org', 'doi.org', 'cocodataset.org', 'pytorch.org', 'docs.pytorch.org', 'triton-lang.org',
                   'docs.fast.ai', 'fastcore.fast.ai', 'nbdev.fast.ai', 'huggingface.co', 'onnxruntime.ai', 'onnx.ai',
                   'www.sphinx-doc.org', 'pydata-sphinx-theme.readthedocs.io', 'github.com/chengyangfu/retinamask',
                   'github.com/facebookresearch/maskrcnn-benchmark', 'github.com/facebookresearch/Detectron',
                   'github.com/facebookresearch/detectron2', 'github.com/pytorch/vision', 'github.com/cocodataset/cocoapi',
                   'github.com/triton-lang/triton', 'github.com/MiXaiLL76/faster_coco_eval'}
INTERNAL_FILES = ('PAPER_SPEC', 'STYLE.md', 'GUIDE.md')
# more screenshots (--screenshots): an API entry with its parameter table and its source opened
SCREENSHOTS = [('losses.html#focal_loss', 'losses-api.png'), ('losses.html#source-selfadjustingsmoothl1', 'losses-source.png'),
               ('roi_align.html#the-triton-kernel', 'roi_align-kernel.png'),
               ('index.html#the-notebooks-in-the-order-a-student-reads-them', 'index-table.png'), ('search.html?q=focal', 'search.png')]

HARNESS = r"""<!doctype html>
<html><body><pre id="result">{"errors": ["the page never finished loading"]}</pre>
<iframe id="page" style="width: 1280px; height: 1000px"></iframe>
<script>
const params = new URLSearchParams(location.search);
const want = JSON.parse(params.get('want'));
const frame = document.getElementById('page');
const sleep = ms => new Promise(r => setTimeout(r, ms));
const SKIP = 'pre, code, script, style, textarea, mjx-container, .highlight, #search-results';
const RAW_TEX = /\$[^$\n]*[\\^_{}=][^$\n]*\$|\\\(|\\\[/;

// where a check that never finishes got stuck, so that the failure says so
const stage = s => { document.getElementById('result').textContent = JSON.stringify({errors: [`stuck: ${s}`]}); };

async function check() {
  const w = frame.contentWindow, d = frame.contentDocument, errors = [];
  stage('search');
  if (want.search) {  // Sphinx's search runs after load: wait for its results
    for (let i = 0; i < 100 && !d.querySelector('#search-results li'); i++) await sleep(100);
    const hits = d.querySelectorAll('#search-results li').length;
    if (hits < want.search) errors.push(`search for "${params.get('q')}" found ${hits} pages`);
    // the summaries are fetched one page at a time after the list: wait for them
    const bare = () => [...d.querySelectorAll('#search-results li')].filter(li => !(li.querySelector('.context') || {}).textContent);
    for (let i = 0; i < 100 && bare().length; i++) await sleep(100);
    bare().slice(0, 3).forEach(li => errors.push(`search result without a text snippet: ${li.textContent.trim().slice(0, 60)}`));
  }
  stage('mathjax');
  // MathJax typesets after load; its startup promise can stay pending (speech), so watch the formulas instead
  const pending = () => [...d.querySelectorAll('article .math')].some(m => !m.querySelector('mjx-container'));
  for (let i = 0; i < 200 && pending(); i++) await sleep(100);
  const mj = w.MathJax;
  stage('images');
  const imgs = [...d.querySelectorAll('article img')];
  imgs.forEach(img => { img.loading = 'eager'; });  // lazy images below the fold would never load here
  await Promise.all(imgs.map(img => img.complete ? null : new Promise(r => { img.onload = img.onerror = r; })));
  stage('fonts');
  await d.fonts.ready;

  const maths = [...d.querySelectorAll('article .math')];
  const typeset = maths.filter(m => m.querySelector('mjx-container') && !m.querySelector('mjx-merror'));
  maths.filter(m => !typeset.includes(m)).slice(0, 5).forEach(m =>
    errors.push(`formula not typeset: ${m.textContent.trim().slice(0, 80)}`));
  if (maths.length && !(mj && mj.startup)) errors.push('MathJax did not load');
  if (typeset.length < want.math) errors.push(`${typeset.length} formulas typeset, expected at least ${want.math}`);
  const walker = d.createTreeWalker(d.querySelector('article') || d.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    if (n.parentElement.closest(SKIP)) continue;
    if (RAW_TEX.test(n.textContent)) { errors.push(`raw TeX left in the text: ${n.textContent.trim().slice(0, 80)}`); break; }
  }
  const loaded = imgs.filter(img => img.complete && img.naturalWidth > 0);
  imgs.filter(img => !loaded.includes(img)).forEach(img => errors.push(`image did not load: ${img.getAttribute('src')}`));
  if (loaded.length < want.images) errors.push(`${loaded.length} images loaded, expected at least ${want.images}`);
  const nav = d.querySelectorAll('nav a.reference.internal, nav a.nav-link').length;
  if (nav < want.nav) errors.push(`${nav} navigation links, expected at least ${want.nav}`);
  stage('code and API entries');
  const article = d.querySelector('article') || d.body;
  const code = article.querySelectorAll('div.highlight pre').length;
  if (code < (want.code || 0)) errors.push(`${code} highlighted code blocks, expected at least ${want.code}`);
  const entries = [...article.querySelectorAll('div.api-entry')];
  if (entries.length < (want.api || 0)) errors.push(`${entries.length} API entries, expected at least ${want.api}`);
  for (const e of entries) {
    const sec = e.closest('section'), name = e.dataset.name;
    const table = sec && [...sec.querySelectorAll('table')].find(t => t.closest('section') === sec);
    if (+e.dataset.params > 0 && !(table && /Parameter/.test(table.querySelector('th').textContent)))
      errors.push(`API entry ${name} has no parameter table`);
    const link = e.querySelector('a.showdoc-source');
    const src = link && d.getElementById(decodeURIComponent(link.getAttribute('href').slice(1)));
    if (!src) { errors.push(`API entry ${name} has no source on the page`); continue; }
    if (!src.querySelector('pre span')) errors.push(`the source of ${name} is not highlighted`);
    src.open = true;  // measured below, open, as a reader sees it
  }
  stage('overflow');
  const right = article.getBoundingClientRect().right + 1;
  for (const el of article.querySelectorAll('pre, table, img, mjx-container[display="true"]')) {
    const box = el.getBoundingClientRect();
    const hidden = el.tagName === 'PRE' && el.scrollWidth > el.clientWidth + 1;
    if (box.width && (box.right > right || hidden)) {
      errors.push(`${el.tagName.toLowerCase()} runs out of the text column: ${el.textContent.trim().slice(0, 60)}`);
      break;
    }
  }
  if (want.linked_rows) {
    for (const row of article.querySelectorAll('table tbody tr')) {
      if (!row.querySelector('a.reference.internal, a[href$=".html"]')) {
        errors.push(`table row links to no page: ${row.textContent.trim().slice(0, 60)}`);
        break;
      }
    }
  }
  for (const e of w.performance.getEntriesByType('resource')) {
    if (new URL(e.name).origin !== location.origin) errors.push(`fetched from outside the site: ${e.name}`);
    else if (e.responseStatus >= 400) errors.push(`HTTP ${e.responseStatus}: ${e.name}`);
  }
  return {errors, formulas: typeset.length, images: loaded.length, nav, code, api: entries.length};
}
frame.onload = () => check().catch(e => ({errors: [`the check itself failed: ${e}`]}))
  .then(r => { document.getElementById('result').textContent = JSON.stringify(r); });
frame.src = params.get('page');
</script></body></html>
"""

# A page of the site in a 1280 x 2000 frame, scrolled to `anchor` (a source block there is opened): what a screenshot shows
SHOT = r"""<!doctype html>
<html><body style="margin: 0"><iframe id="page" style="width: 1280px; height: 2000px; border: 0"></iframe>
<script>
const params = new URLSearchParams(location.search), frame = document.getElementById('page');
frame.onload = () => {
  const target = params.get('anchor') && frame.contentDocument.getElementById(params.get('anchor'));
  if (!target) return;
  if (target.tagName === 'DETAILS') target.open = true;
  target.scrollIntoView();
};
frame.src = params.get('page');
</script></body></html>
"""

class Handler(http.server.SimpleHTTPRequestHandler):
    "The site's files, and the harness pages at /__check__.html and /__shot__.html."
    def do_GET(self):
        if self.path.startswith(('/__check__.html', '/__shot__.html')):
            body = (HARNESS if self.path.startswith('/__check__.html') else SHOT).encode()
            self.send_response(200)
            self.send_header('Content-Type', 'text/html; charset=utf-8')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else: super().do_GET()
    def log_message(self, *args): pass

class PageFacts(html.parser.HTMLParser):
    "What the static check reads from one page: its links, API entries, source blocks and text."
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.entries, self.sources, self.text = [], [], {}, []
        self._source, self._entry, self._skip, self._th = None, None, 0, False

    def handle_starttag(self, tag, attrs):
        a, cls = dict(attrs), (dict(attrs).get('class') or '').split()
        if tag == 'a' and a.get('href'):
            self.links.append(a['href'])
            if 'showdoc-source' in cls and self._entry: self._entry['href'] = a['href']
        if tag == 'div' and 'api-entry' in cls:
            self._entry = dict(name=a.get('data-name'), params=int(a.get('data-params') or 0), href=None, table=False)
            self.entries.append(self._entry)
        if tag == 'details' and 'api-source' in cls:
            self._source, self._entry = a.get('id'), None  # the entries of a cell come before its source
            self.sources[self._source] = dict(text=[], spans=0)
        if tag == 'span' and self._source: self.sources[self._source]['spans'] += 1
        if tag == 'th': self._th = True
        if tag in ('script', 'style'): self._skip += 1

    def handle_endtag(self, tag):
        if tag == 'details': self._source = None
        if tag == 'th': self._th = False
        if tag in ('script', 'style'): self._skip -= 1

    def handle_data(self, data):
        if self._source: self.sources[self._source]['text'].append(data)
        if self._th and self._entry and data.strip() == 'Parameter': self._entry['table'] = True
        if not self._skip: self.text.append(data)

def reference_link(url) -> bool:
    "Whether a link outside the site leads to one of `REFERENCE_HOSTS`."
    u = urlparse(url)
    host = u.netloc.lower()
    repo = '/'.join(u.path.strip('/').split('/')[:2]).lower()
    allowed = {h.lower() for h in REFERENCE_HOSTS}
    return (host in allowed and host != 'github.com') or f'{host}/{repo}' in allowed

def static_problems(site) -> list:
    "What is wrong on any page of the site, read from its HTML: API entries, links, internal file names."
    problems = []
    for page in sorted(site.rglob('*.html')):
        if any(part.startswith('_') for part in page.relative_to(site).parts): continue  # _static/: the theme's own
        facts = PageFacts()
        facts.feed(page.read_text(errors='replace'))
        where = page.relative_to(site).as_posix()
        for e in facts.entries:
            name, last = e['name'], e['name'].rsplit('.', 1)[-1]
            source = facts.sources.get((e['href'] or '#').lstrip('#'))
            if e['href'] is None: problems.append(f'{where}: API entry {name} has no "source" link')
            elif source is None: problems.append(f'{where}: API entry {name} links to {e["href"]}, which is not a source block on the page')
            elif not re.search(rf'\b(def|class) {re.escape(last)}\b', ''.join(source['text'])):
                problems.append(f'{where}: the source block of {name} does not define it')
            elif not source['spans']: problems.append(f'{where}: the source of {name} is not highlighted')
            if e['params'] and not e['table']: problems.append(f'{where}: API entry {name} has no parameter table')
        for url in facts.links:
            if urlparse(url).scheme in ('http', 'https') and not reference_link(url):
                problems.append(f'{where}: links to {url}, outside the site (the project has no such host; '
                                'references go to REFERENCE_HOSTS in tools/check_site.py)')
        text = ' '.join(facts.text)
        for name in INTERNAL_FILES:
            if name in text: problems.append(f'{where}: names the internal file {name}: cite the paper or the official code')
    return problems

def screenshot(exe, base, page, path, profile):
    "A PNG of 1280 x 2000 pixels of a page (`losses.html`), or of the part of it at an anchor (`losses.html#focal_loss`)."
    from urllib.parse import urlencode
    page, _, anchor = page.partition('#')
    url = f'{base}/__shot__.html?' + urlencode({'page': f'/{page}', 'anchor': anchor})
    cmd = [exe, '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--hide-scrollbars',
           '--disable-extensions', f'--user-data-dir={profile}', '--virtual-time-budget=20000',
           '--window-size=1280,2000', f'--screenshot={path}', url]
    subprocess.run(cmd, capture_output=True, timeout=120)
    return Path(path).exists()

def chromium():
    "Debian's Chromium, or a clear error."
    exe = shutil.which('chromium') or shutil.which('chromium-browser')
    if not exe: sys.exit('check_site: Chromium is missing; on Debian: apt-get install chromium')
    return exe

def check_page(exe, base, page, want, profile):
    "The harness's findings for one page, as a dict with a list of errors."
    from urllib.parse import urlencode
    q = re.search(r'[?&]q=([^&]*)', page)
    url = f'{base}/__check__.html?' + urlencode({'page': f'/{page}', 'want': json.dumps(want), 'q': q.group(1) if q else ''})
    cmd = [exe, '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
           '--disable-extensions', f'--user-data-dir={profile}', '--virtual-time-budget=30000', '--dump-dom', url]
    try: dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    except subprocess.TimeoutExpired: return {'errors': ['Chromium did not finish in 120 s']}
    m = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    return json.loads(html.unescape(m.group(1))) if m else {'errors': ['Chromium printed no page']}

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--site', default=str(ROOT / '_site'), help='the built site (default: _site/)')
    parser.add_argument('--screenshots', help='save a PNG of each checked page (and of an API entry) into this folder')
    args = parser.parse_args(argv)
    site = Path(args.site).resolve()
    if not (site / 'index.html').exists(): sys.exit(f'check_site: no site at {site}: run `make docs`')
    problems = static_problems(site)
    pages = len([p for p in site.rglob('*.html') if not p.relative_to(site).parts[0].startswith('_')])
    print(f"{'ok  ' if not problems else 'FAIL'} {pages} pages read: API entries with source and parameters, links, text")
    for e in problems: print(f'       {e}')
    failed = bool(problems)
    exe = chromium()
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f'http://127.0.0.1:{server.server_address[1]}'
    try:
        with tempfile.TemporaryDirectory() as profile:
            for page, want in PAGES:
                r = check_page(exe, base, page, want, profile)
                ok = not r['errors']
                failed |= not ok
                print(f"{'ok  ' if ok else 'FAIL'} {page}: {r.get('formulas', 0)} formulas typeset, "
                      f"{r.get('images', 0)} images loaded, {r.get('nav', 0)} navigation links")
                for e in r['errors']: print(f'       {e}')
            if args.screenshots:
                out = Path(args.screenshots)
                out.mkdir(parents=True, exist_ok=True)
                shots = [(page, page.split('?')[0].replace('/', '-').replace('.html', '.png')) for page, _ in PAGES
                         if not page.startswith('search')] + SCREENSHOTS
                for page, name in shots:
                    saved = screenshot(exe, base, page, out / name, profile)
                    print(f"{'saved' if saved else 'FAILED'} {out / name} ({page})")
    finally: server.shutdown()
    if failed: sys.exit('check_site: the site has problems (see above)')

if __name__ == '__main__': main()
