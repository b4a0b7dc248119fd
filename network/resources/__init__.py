"""The resource library: newsletters, replays, slides, tools, referentials, workshop syntheses."""
