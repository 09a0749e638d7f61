"""The charts' JavaScript and how a page draws a chart: the Vega bundle from vl-convert (built once and
cached), inlined once per page or loaded once per run from ``vega-bundle.js``, and a chart's ``<div>``
with its ``vegaEmbed`` call and the links that save its data and picture."""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path

from econ import files, paths, safe_text

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega, vega-lite and vega-embed in one script with no external dependency (~1 MB).

    vl-convert assembles it in about 2 s, in every process that asks; it depends only on the
    vl-convert version, so it is kept in the cache folder (paths.CACHE) under that version.
    """
    from importlib.metadata import version

    cached = paths.CACHE / f"vega-bundle-vl-convert-{version('vl-convert-python')}.js"
    digest = cached.with_name(cached.name + ".sha256")
    try:
        text = cached.read_text(encoding="utf-8")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() == digest.read_text(encoding="ascii").strip():
            return text
    except (OSError, UnicodeDecodeError):
        pass
    # Missing, truncated or altered (its digest does not match): build it again.
    import vl_convert

    # A literal "</script>" inside the bundle would end the inline script early.
    text = vl_convert.javascript_bundle().replace("</script", "<\\/script")
    if "vegaEmbed" not in text:
        raise RuntimeError("vl-convert's JavaScript bundle has no vegaEmbed: the charts cannot be drawn")
    try:
        files.write_atomic(cached, text)
        files.write_atomic(digest, hashlib.sha256(text.encode("utf-8")).hexdigest() + "\n")
    except OSError:  # a read-only home: build it each time
        pass
    return text


#: The Vega bundle's file beside the pages of a run published as a site (the default).
BUNDLE_FILE = "vega-bundle.js"
#: The notebook pages' stylesheet (JupyterLab's, about 240 kB) beside the pages of a site, once per run.
CSS_FILE = "notebook.css"
_CSS_BLOCK = re.compile(r"<!--econ-notebook-css-->.*?<!--/econ-notebook-css-->", re.S)


@functools.lru_cache(maxsize=1)
def notebook_css() -> str:
    """The stylesheet nbconvert's lab template puts in every notebook page (its ``<style>`` blocks'
    text), from an empty notebook through the offline template: the same on every page of a run."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook()
    nb.metadata["title"] = "css"
    body, _ = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)]).from_notebook_node(
        nb, resources={"vega_script": "", "reader_css": "", "econ_banner": ""})
    block = _CSS_BLOCK.search(body)
    return "\n".join(re.findall(r"<style[^>]*>(.*?)</style>", block.group(0), re.S)) if block else ""


def link_notebook_css(text: str, prefix: str = "../../") -> str:
    """A notebook page that loads the run's one copy of the notebook stylesheet instead of inlining it."""
    return _CSS_BLOCK.sub(lambda _: f'<!--econ-notebook-css--><link rel="stylesheet" href="{prefix}{CSS_FILE}">'
                          "<!--/econ-notebook-css-->", text, count=1)


def inline_notebook_css(text: str) -> str:
    """A notebook page with the stylesheet inlined again (a single-file page)."""
    return _CSS_BLOCK.sub(lambda _: f"<!--econ-notebook-css--><style>{notebook_css()}</style><!--/econ-notebook-css-->",
                          text, count=1)
#: Options for every chart: vega-embed's own menu offers PNG and SVG too; the links below each chart
#: do the same in plain sight, plus the chart's data as CSV.
EMBED_OPTIONS = {"actions": {"export": True, "source": False, "compiled": False, "editor": False}}

#: Once per page: render charts, and save a chart's data (CSV) or image (PNG, SVG) from the page itself.
CHART_SCRIPT = r"""<script>
window.econ = window.econ || (function () {
  const specs = {}, views = {}, extras = {};
  function save(name, url) {
    const a = document.createElement('a'); a.href = url; a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
  }
  function cell(v) {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number' && !Number.isInteger(v)) v = Number(v.toPrecision(6));
    let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = "'" + s;  // a spreadsheet shows it as text
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function expand(id) {
    // A chart whose data is a grid in a parameter (the what-if panel): one row per scenario and point.
    const g = extras[id].grid, names = Object.keys(g.axes), out = [];
    const table = (specs[id].params || []).find(p => p.name === g.param).value;
    const sizes = names.map(n => g.axes[n].length), total = sizes.reduce((a, b) => a * b, 1);
    for (const scenario of Object.keys(table)) for (let i = 0; i < total; i++) {
      const r = {scenario}; let rest = i;
      for (let k = names.length - 1; k >= 0; k--) {
        r[names[k]] = g.axes[names[k]][rest % sizes[k]]; rest = Math.floor(rest / sizes[k]);
      }
      const row = {scenario};
      for (const n of names) row[n] = r[n];
      for (const f of g.figures) row[f] = table[scenario][f][i];
      row.unit = g.unit; out.push(row);
    }
    return out;
  }
  function rows(id) {
    if (extras[id].grid) return expand(id);
    const spec = specs[id], sets = Object.entries(spec.datasets || {});
    if (!sets.length && spec.data && spec.data.values) sets.push(['data', spec.data.values]);
    const many = sets.length > 1, out = [];
    for (const [name, values] of sets) for (const r of values) out.push(many ? Object.assign({dataset: name}, r) : r);
    return out;
  }
  function csv(id) {
    const data = rows(id), cols = [];
    for (const r of data) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
    return [cols.map(cell).join(',')].concat(data.map(r => cols.map(k => cell(r[k])).join(','))).join('\n') + '\n';
  }
  function name(id) {
    if (extras[id].name) return extras[id].name;
    const t = specs[id].title, text = typeof t === 'object' && t ? (Array.isArray(t.text) ? t.text.join(' ') : t.text)
      : (Array.isArray(t) ? t.join(' ') : t);
    return (String(text || id).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60)) || id;
  }
  function share(id) {
    // A view's sliders in the address (#id=name:value,...): a shared link opens the same view.
    const s = extras[id].state, view = views[id];
    if (!s || !view) return;
    const names = [s.by, ...s.knobs], key = id + '=';
    const found = location.hash.slice(1).split('&').find(p => p.startsWith(key));
    if (found) {
      for (const pair of found.slice(key.length).split(',')) {
        const [k, v] = pair.split(':').map(decodeURIComponent);
        if (names.includes(k)) view.signal(k, k === s.by ? v : Number(v));
      }
      view.runAsync();
    }
    const write = () => {
      const value = names.map(k => encodeURIComponent(k) + ':' + encodeURIComponent(view.signal(k))).join(',');
      const rest = location.hash.slice(1).split('&').filter(p => p && !p.startsWith(key));
      history.replaceState(null, '', '#' + [...rest, key + value].join('&'));
    };
    for (const k of names) view.addSignalListener(k, write);
  }
  return {
    specs, views, csv, name, rows,
    embed(id, spec, options, extra) {
      // On a narrow screen wrapped facets take as many columns as fit (one, on a phone), so each panel is
      // shown larger; a chart still wider than the screen is scaled to it by the stylesheet.
      const el = document.getElementById(id), room = el ? el.clientWidth : 0;
      const panel = spec.spec && typeof spec.spec.width === 'number' ? spec.spec.width + 70 : 0;
      if (room && spec.facet && typeof spec.columns === 'number' && panel && room < spec.columns * panel + 150)
        spec = Object.assign({}, spec, {columns: Math.max(1, Math.floor((room - 150) / panel))});
      specs[id] = spec; extras[id] = extra || {};
      return vegaEmbed('#' + id, spec, options).then(r => { views[id] = r.view; share(id); return r; })
        .catch(e => console.error(e));
    },
    reset(id) {
      // the sliders back to the chosen scenario's central values (the spec's 'centre' table)
      const s = extras[id].state, view = views[id];
      if (!s || !view) return false;
      const centre = (specs[id].params || []).find(p => p.name === s.centre).value[view.signal(s.by)];
      for (const k of s.knobs) view.signal(k, centre[k]);
      view.runAsync(); return false;
    },
    data(id) {
      save(name(id) + '.csv', URL.createObjectURL(new Blob([csv(id)], {type: 'text/csv'})));
      return false;
    },
    image(id, type) {
      if (views[id]) views[id].toImageURL(type, type === 'png' ? 2 : 1).then(url => save(name(id) + '.' + type, url));
      return false;
    },
  };
})();
</script>"""


def stamped(spec: dict, stamp: str) -> dict:
    """``spec`` with ``stamp`` (the scenario and the date) as the last line under its title, so a saved
    PNG or SVG says what it shows and when."""
    if not stamp or "title" not in spec:
        return spec
    title = spec["title"]
    title = dict(title) if isinstance(title, dict) else {"text": title}
    sub = title.get("subtitle", [])
    title["subtitle"] = [*([sub] if isinstance(sub, str) else sub), stamp]
    return {**spec, "title": title}


def chart_html(spec: dict, element_id: str, name: str = "", grid: dict | None = None,
               state: dict | None = None) -> str:
    """A div, the links that save the chart's data and image, and the script that renders ``spec``
    into the div (:data:`CHART_SCRIPT` and the bundle must already be on the page). ``name``: the saved
    files' name (default: from the chart's title); ``grid``: the chart's data is a grid in a parameter
    (see :func:`econ.report.whatif.grid_axes`); ``state``: sliders kept in the page's address and a
    reset link (``{"by": "scenario", "knobs": [...], "centre": "centre"}``)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", element_id):
        raise ValueError(f"a chart's element id must be letters, digits, '-' or '_': {element_id!r}")
    payload = safe_text.script_json(spec)
    extra = safe_text.script_json({k: v for k, v in (("name", name), ("grid", grid), ("state", state)) if v})
    reset = (f'<a href="#" onclick="return econ.reset(\'{element_id}\')">Reset the sliders</a> &middot; '
             if state else "")
    tools = (f'<div class="econ-chart-tools">{reset}Save: '
             f'<a href="#" onclick="return econ.data(\'{element_id}\')">data (CSV)</a>'
             f' &middot; <a href="#" onclick="return econ.image(\'{element_id}\', \'png\')">PNG</a>'
             f' &middot; <a href="#" onclick="return econ.image(\'{element_id}\', \'svg\')">SVG</a></div>')
    return (f'<div class="econ-chart-box"><div class="econ-chart" id="{element_id}"></div>{tools}</div>\n'
            f'<script>econ.embed("{element_id}", {payload}, {safe_text.script_json(EMBED_OPTIONS)}, {extra});</script>')


def vega_script(site: bool, prefix: str = "../../") -> str:
    """The Vega bundle for a page: inlined (self-contained) or, for a site, loaded from the run's copy."""
    if site:
        return f'<script src="{prefix}{BUNDLE_FILE}"></script>' + CHART_SCRIPT
    return f"<script>{vega_bundle()}</script>" + CHART_SCRIPT
