// Loaded with `node --import`: prints this process's peak RSS (MiB) and its CPU time (user + system, all
// threads, seconds) on stderr at exit, for benchmarks.
process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`\n__PEAK_RSS_MIB__=${(u.maxRSS / 1024).toFixed(1)}\n__CPU_S__=${((u.userCPUTime + u.systemCPUTime) / 1e6).toFixed(3)}\n`);
});
