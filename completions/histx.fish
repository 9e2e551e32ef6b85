complete --keep-order --exclusive --command histx --arguments "(COMPLETE=fish histx -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
