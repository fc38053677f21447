"""The report as one self-contained HTML file that can be mailed: summary counts per check and severity,
the findings grouped by check, labels rather than IRIs, and a few lines of inline script to sort and
filter them with no network (the page's Content-Security-Policy forbids loading anything)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from pyoxigraph import NamedNode

from ingest.reports.model import SEVERITIES, Finding, Report, display, term_text
from ingest.reports.words import where_text, words

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:78em;padding:0 1em;color:#1d1d1f}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin-top:1.5em}
.verdict{padding:.6em .9em;border-radius:6px;font-weight:600}
.pass{background:#e6f4ea}.fail{background:#fde8e8}.unchecked{background:#fff4d6}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f6;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
#findings td{max-width:24em;overflow-wrap:anywhere}
tr.group th{background:#eef1f8;cursor:default;font-weight:600}
.Violation{color:#b3261e;font-weight:600}.Warning{color:#8a5a00;font-weight:600}.Info{color:#355}
.iri{color:#666;font-size:.85em;word-break:break-all}.fix{color:#234}
.controls{display:flex;gap:1em;align-items:center;margin:.6em 0}
input[type=search]{min-width:22em;padding:.3em}
"""

_SCRIPT = """
(function(){
  function key(cell){var v=cell.getAttribute('data-sort');if(v===null)v=cell.textContent.trim();
    var n=Number(v);return v!==''&&!isNaN(n)?n:v.toLowerCase();}
  function sortBy(th){
    var table=th.closest('table'),index=Array.prototype.indexOf.call(th.parentNode.children,th);
    var ascending=th.getAttribute('aria-sort')!=='ascending';
    table.querySelectorAll('thead th').forEach(function(h){h.removeAttribute('aria-sort');});
    th.setAttribute('aria-sort',ascending?'ascending':'descending');
    table.querySelectorAll('tbody').forEach(function(body){
      var rows=Array.prototype.filter.call(body.rows,function(r){return !r.classList.contains('group');});
      rows.sort(function(a,b){var x=key(a.cells[index]),y=key(b.cells[index]);
        return (x<y?-1:x>y?1:0)*(ascending?1:-1);});
      rows.forEach(function(r){body.appendChild(r);});
    });
  }
  document.querySelectorAll('table.sortable thead th').forEach(function(th){
    th.addEventListener('click',function(){sortBy(th);});
  });
  var text=document.getElementById('filter-text'),severity=document.getElementById('filter-severity');
  var shown=document.getElementById('shown');
  function filter(){
    var words=text.value.toLowerCase().trim(),level=severity.value,count=0;
    document.querySelectorAll('#findings tbody').forEach(function(body){
      var visible=0;
      Array.prototype.forEach.call(body.rows,function(r){
        if(r.classList.contains('group'))return;
        var ok=(!level||r.getAttribute('data-severity')===level)&&
               (!words||r.textContent.toLowerCase().indexOf(words)>=0);
        r.hidden=!ok;if(ok){visible++;count++;}
      });
      body.hidden=visible===0;
    });
    shown.textContent=shown.getAttribute('data-template').replace('{n}',count);
  }
  text.addEventListener('input',filter);severity.addEventListener('change',filter);
})();
"""

#: Turns a resource's IRI into the address of its page (None: no link).
Linker = Callable[[str], str | None]


def _label_cell(finding: Finding, lang: str, link: Linker | None) -> str:
    if finding.focus is None:
        return "<td></td>"
    shown = term_text(finding.focus)
    label = finding.label(lang)
    iri = finding.focus.value if isinstance(finding.focus, NamedNode) else None
    text = escape(label or shown)
    href = link(iri) if link is not None and iri else None
    if href:
        text = f'<a href="{escape(href)}">{text}</a>'
    extra = f'<div class="iri">{escape(shown)}</div>' if label else ""
    return f'<td data-sort="{escape(label or shown)}">{text}{extra}</td>'


def _finding_row(finding: Finding, lang: str, link: Linker | None) -> str:
    value = "" if finding.value is None else escape(display(finding.value))
    sort_where = f"{finding.file or ''}\t{(finding.row or finding.line or 0):09d}"
    cells = [
        f'<td class="{finding.severity}" data-sort="{SEVERITIES.index(finding.severity)}">'
        f"{escape(words(lang)['one-' + finding.severity])}</td>",
        f'<td data-sort="{escape(sort_where)}">{escape(where_text(finding, lang))}</td>',
        _label_cell(finding, lang, link),
        f"<td>{escape(finding.path or '')}</td>",
        f"<td>{value}</td>",
        f"<td>{escape(finding.message(lang))}</td>",
        f'<td class="fix">{escape(finding.fix_in(lang) or "")}</td>',
    ]
    return (
        f'<tr data-severity="{finding.severity}" data-shape="{escape(finding.shape)}">{"".join(cells)}</tr>'
    )


def _summary(report: Report, lang: str) -> list[str]:
    w = words(lang)
    out = [
        '<table id="summary" class="sortable"><thead><tr>',
        f"<th>{escape(w['shape'])}</th>",
        *(f"<th>{escape(w[s])}</th>" for s in SEVERITIES),
        "</tr></thead><tbody>",
    ]
    for shape, per in sorted(report.by_shape.items(), key=lambda kv: (-kv[1].get("Violation", 0), kv[0])):
        name = report.shape_label(shape, lang)
        out.append(f'<tr data-shape="{escape(shape)}"><td data-sort="{escape(name)}">{escape(name)}')
        if name != shape:
            out.append(f'<div class="iri">{escape(shape)}</div>')
        out.append("</td>")
        for severity in SEVERITIES:
            n = per.get(severity, 0)
            out.append(f'<td class="n" data-severity="{severity}" data-count="{n}">{n}</td>')
        out.append("</tr>")
    out.append(f"</tbody><tfoot><tr><th>{escape(w['total'])}</th>")
    for severity in SEVERITIES:
        n = report.counts.get(severity, 0)
        out.append(f'<td class="n" id="count-{severity}" data-count="{n}">{n}</td>')
    out.append("</tr></tfoot></table>")
    return out


def _findings(report: Report, lang: str, link: Linker | None) -> list[str]:
    w = words(lang)
    heads = ("severity", "where", "resource", "path", "value", "message", "fix")
    out = [
        '<table id="findings" class="sortable"><thead><tr>',
        *(f"<th>{escape(w[h])}</th>" for h in heads),
        "</tr></thead>",
    ]
    groups: dict[str, list[Finding]] = {}
    for finding in report.findings:
        groups.setdefault(finding.shape, []).append(finding)
    for shape, findings in groups.items():
        name = findings[0].name(lang) or shape
        out.append(f'<tbody data-shape="{escape(shape)}">')
        out.append(
            f'<tr class="group"><th colspan="{len(heads)}">{escape(name)} '
            f'<span class="iri">{escape(shape)}</span> ({len(findings)})</th></tr>'
        )
        out.extend(_finding_row(f, lang, link) for f in findings)
        out.append("</tbody>")
    out.append("</table>")
    return out


def to_html(report: Report, lang: str = "en", link: Linker | None = None) -> bytes:
    w = words(lang)
    if not report.checked:
        verdict, kind = w["unchecked"], "unchecked"
    elif report.conforms:
        verdict, kind = w["conforms"], "pass"
    else:
        verdict, kind = w["fails"], "fail"
    total = len(report.findings)
    options = "".join(
        f'<option value="{s}">{escape(w[s])} ({report.counts.get(s, 0)})</option>' for s in SEVERITIES
    )
    shown_template = w["shown"].replace("{total}", str(total))
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(w['title'])}: {escape(report.subject or report.title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{escape(w['title'])}</h1>",
        f"<p>{escape(w['subject'])}: {escape(report.subject or '')} · {escape(w['created'])}: "
        f"{escape(report.created)}</p>",
        f'<p class="verdict {kind}" id="verdict" data-conforms="{str(report.conforms).lower()}">'
        f"{escape(verdict)}</p>",
        f"<h2>{escape(w['summary'])}</h2>",
        *_summary(report, lang),
        f"<h2>{escape(w['findings'])}</h2>",
        '<div class="controls">',
        f'<label>{escape(w["filter"])} <input type="search" id="filter-text"></label>',
        f'<select id="filter-severity"><option value="">{escape(w["all"])}</option>{options}</select>',
        f'<span id="shown" data-template="{escape(shown_template)}">'
        f"{escape(shown_template.replace('{n}', str(total)))}</span>",
        "</div>",
        *_findings(report, lang, link),
    ]
    if report.truncated:
        parts.append(f"<p>{escape(w['more'].replace('{n}', str(report.total - total)))}</p>")
    parts += [f"<script>{_SCRIPT}</script>", "</body></html>"]
    return "\n".join(parts).encode("utf-8")
