complete --keep-order --exclusive --command kelemetry-cli --arguments "(COMPLETE=fish kelemetry-cli -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
