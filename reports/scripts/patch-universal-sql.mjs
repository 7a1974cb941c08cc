// placeholder; replaced after inspecting universal-sql
