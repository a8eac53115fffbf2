"""ipywidgets that show how a subject's schema evolved (``pip install 'schemakit[widgets]'``).

- :class:`EvolutionExplorer` ``(registry, subject)``: the subject's versions, a diff of two of
  them, their verdict under the seven levels, a candidate check and a preview of rows written
  with one version and read with the other.
- :class:`RegistryBrowser` ``(registry)``: every subject with a search box; the one picked is
  explored below. :meth:`schemakit.Registry.explore` opens either.

``import schemakit`` never imports this package (nor ipywidgets); importing it without
ipywidgets raises an ``ImportError`` that names ``pip install 'schemakit[widgets]'``. The
widgets are standard ipywidgets (no custom JavaScript, nothing from a CDN), so they render in
JupyterLab, Notebook and Voila.

Stable selectors
----------------
For browser tests and anyone who automates the widgets. CSS classes are set with
``add_class`` on the ipywidgets (the class is on the widget's outer element, so e.g. the
``<select>`` of a picker is ``.sk-picker-a select``); ``data-*`` attributes are in the HTML the
widgets render. These names are a contract (tests/browser relies on them): keep them stable.

EvolutionExplorer

- ``.sk-explorer``: the root box. ``.sk-explorer-header``: an HTML widget containing
  ``<span data-subject="SUBJECT">`` (and ``<span data-level="LEVEL">``).
- ``.sk-timeline``: an HTML widget with one
  ``<tr class="sk-version" data-version="N" data-id="ID" data-compatible="true|false|na"
  data-deleted="true|false">`` per version on the page, newest first. ``data-compatible`` is
  whether the version passes the subject's level against the live versions before it (``na``
  for the first); the messages are in the badge's ``title`` and in a ``<details>`` below it.
  The table has ``data-page`` and ``data-pages`` (from 1). Pager buttons: ``.sk-timeline-prev``
  (newer versions) and ``.sk-timeline-next`` (older versions).
- ``.sk-picker-a``, ``.sk-picker-b``: Dropdowns; option labels ``v1``, ``v2``, … (every
  version, soft-deleted ones included); the value is the int version.
- ``.sk-diff``: an HTML widget whose root is ``<table data-a="A" data-b="B">``, with one
  ``<tr class="sk-change" data-path="/fields/…" data-kind="KIND"
  data-breaks-backward="true|false" data-breaks-forward="true|false">`` per change, or an
  element ``.sk-no-changes`` when there is none. ``data-path`` is ``/fields/`` followed by the
  field names from the top-level record joined by ``/`` (``/fields/customer/tier``; ``[]`` after
  a name steps into array items, ``{}`` into map values; ``/`` is the schema itself). ``KIND``
  is one of ``added``, ``removed``, ``type``, ``default``, ``nullability``, ``doc``, ``order``,
  ``symbols`` (enum symbols), ``logical`` (logical type); JSON Schema subjects may also show
  ``required``.
- ``.sk-levels``: an HTML widget with ``<tr data-level="LEVEL" data-compatible="true|false">``
  for each of the seven levels; every message in ``<li class="sk-message">`` (warnings about
  logical types in ``<li class="sk-warning">``).
- ``.sk-candidate``: a Textarea (``.sk-candidate textarea``); ``.sk-candidate-check``: the
  button; ``.sk-candidate-result``: an HTML widget containing one element with
  ``data-compatible="true|false|error"`` and the messages in ``<li class="sk-message">``
  (a parse error is one message naming where, e.g. ``/fields/1/type`` or
  ``line 1, column 48``).
- ``.sk-preview``: an HTML widget containing ``<table data-writer="A" data-reader="B">``; header
  cells carry ``data-column`` and the class ``sk-filled`` (B's default filled in),
  ``sk-dropped`` (only A has it) or ``sk-kept``; ``.sk-preview-error`` says why there are no
  rows (B cannot read A, a JSON subject).
- ``.sk-raw-side``: ToggleButtons ``A`` / ``B`` (``.sk-raw-side button``) choosing whose schema
  ``.sk-raw-schema`` shows: an HTML widget containing ``<div class="sk-raw" data-side="A|B"
  data-version="N" data-id="ID" data-schema-type="AVRO|JSON">`` with ``pre.sk-raw-text`` (the
  pretty text) and ``a.sk-raw-download`` (a ``data:`` URL, ``download="SUBJECT-vN.avsc"``).
  ``.sk-candidate-from-b``: the button that puts B's text in the candidate box.
- ``.sk-badge[data-tone="good|bad|neutral"]``: every badge (timeline, diff, levels, verdict).
- ``.sk-output``: an Output that shows an error raised in a callback.

RegistryBrowser

- ``.sk-browser``: the root box. ``.sk-search``: the search Text (``.sk-search input``);
  ``.sk-refresh``: a button that reads the subject names again.
- ``.sk-subject-select``: a Select whose option labels are the subject names matching the
  search (``.sk-subject-select select``); picking one opens its explorer.
- ``.sk-subjects``: an HTML widget with one
  ``<tr data-subject="SUBJECT" data-versions="N" data-level="LEVEL">`` per listed subject
  (``N`` counts live versions).
- ``.sk-browser-detail``: the box that holds the opened ``.sk-explorer``.
"""

from schemakit._deps import optional_import

optional_import("ipywidgets", extra="widgets", purpose="schemakit.widgets")

from schemakit.widgets._browser import RegistryBrowser  # noqa: E402
from schemakit.widgets._explorer import EvolutionExplorer  # noqa: E402

__all__ = ["EvolutionExplorer", "RegistryBrowser"]
