// startDownload follows a signed export link: the browser streams the CSV
// to a file itself, however large, instead of holding it in memory.
export function startDownload(url: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = '';
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
