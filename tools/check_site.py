"""Open pages of the built docs site in headless Chromium and fail if a formula or a figure did not render.

The site (_site/ by default) is served on 127.0.0.1 and each page is loaded, in an iframe, by a small harness
page that waits for MathJax and for every image, then writes what it found into its own DOM, which
`chromium --headless --dump-dom` prints. For each page checked:

- every formula (Sphinx's `.math` elements) was typeset by MathJax (an `mjx-container`, no `mjx-merror`), and
  no raw TeX (`$x^2$`, `\\(`) is left in the text; pages that must have formulas have them;
- every image loaded (`naturalWidth > 0`); pages that must have figures have them;
- nothing was fetched from outside the site (the site works offline) and no fetch failed (HTTP errors);
- the page has its navigation links; and the search page finds a word.

    python tools/check_site.py [--site DIR]   # exit 1 with the reasons if a check fails

Needs Chromium (Debian: `apt-get install chromium`).
"""
import argparse, functools, html, http.server, json, re, shutil, subprocess, sys, tempfile, threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# (page, what it must have): the landing page, and a component page with both formulas and figures
PAGES = [('index.html', dict(math=0, images=0, nav=2)),
         ('losses.html', dict(math=20, images=2, nav=10)),
         ('search.html?q=focal', dict(math=0, images=0, nav=2, search=1))]

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
  for (const e of w.performance.getEntriesByType('resource')) {
    if (new URL(e.name).origin !== location.origin) errors.push(`fetched from outside the site: ${e.name}`);
    else if (e.responseStatus >= 400) errors.push(`HTTP ${e.responseStatus}: ${e.name}`);
  }
  return {errors, formulas: typeset.length, images: loaded.length, nav};
}
frame.onload = () => check().catch(e => ({errors: [`the check itself failed: ${e}`]}))
  .then(r => { document.getElementById('result').textContent = JSON.stringify(r); });
frame.src = params.get('page');
</script></body></html>
"""

class Handler(http.server.SimpleHTTPRequestHandler):
    "The site's files, and the harness at /__check__.html."
    def do_GET(self):
        if self.path.startswith('/__check__.html'):
            body = HARNESS.encode()
            self.send_response(200)
            self.send_header('Content-Type', 'text/html; charset=utf-8')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else: super().do_GET()
    def log_message(self, *args): pass

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
    site = Path(parser.parse_args(argv).site).resolve()
    if not (site / 'index.html').exists(): sys.exit(f'check_site: no site at {site}: run `make docs`')
    exe = chromium()
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f'http://127.0.0.1:{server.server_address[1]}'
    failed = False
    try:
        with tempfile.TemporaryDirectory() as profile:
            for page, want in PAGES:
                r = check_page(exe, base, page, want, profile)
                ok = not r['errors']
                failed |= not ok
                print(f"{'ok  ' if ok else 'FAIL'} {page}: {r.get('formulas', 0)} formulas typeset, "
                      f"{r.get('images', 0)} images loaded, {r.get('nav', 0)} navigation links")
                for e in r['errors']: print(f'       {e}')
    finally: server.shutdown()
    if failed: sys.exit('check_site: the site does not render (see above)')

if __name__ == '__main__': main()
