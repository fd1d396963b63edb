{
  "targets": [
    {
      "target_name": "vigil_sweep",
      "sources": ["sweep.c"],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra"]
    }
  ]
}
