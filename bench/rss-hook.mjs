// Loaded with `node --import`: prints this process's peak RSS (MiB) on stderr at exit, for benchmarks.
process.on('exit', () => {
  process.stderr.write(`\n__PEAK_RSS_MIB__=${(process.resourceUsage().maxRSS / 1024).toFixed(1)}\n`);
});
