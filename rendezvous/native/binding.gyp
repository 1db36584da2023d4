{
  "targets": [
    {
      "target_name": "parley_udp",
      "sources": ["parley_udp.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [["OS!='linux'", { "sources!": ["parley_udp.c"], "sources": ["unsupported.c"] }]]
    }
  ]
}
