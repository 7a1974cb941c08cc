"""The Evidence report site: one module per job.

- `project`: the Evidence project, its pages, and the private workspace each build runs in;
- `lock`: one build at a time per output folder;
- `evidence`: the npm steps (sources, build) on the published snapshot;
- `server`: serving a built site on 127.0.0.1;
- `pdf`: printing pages to PDF with headless Chromium.

`supportlens.commands.report` is the command line over these.
"""
