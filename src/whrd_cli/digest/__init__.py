"""Digests: Markdown and HTML documents (or a user's own template) made from a selection of bulletins.

- `context`: what a digest shows, worked out in Python (the view model a template receives);
- `labels`: a digest's fixed words in one locale, from the one table in `i18n`;
- `escape`: Markdown escaping (the `md` and `md_url` filters);
- `environment`: the Jinja2 environments (the user's in the sandbox), rendering, template errors.

The package takes plain data (`(id, stored dict)` pairs and `DigestOptions`) and knows neither the
formats that call it nor the export: the Markdown and HTML writers in `formats` call
`environment.render_digest`. Jinja2 is imported only when a digest is rendered.
"""
