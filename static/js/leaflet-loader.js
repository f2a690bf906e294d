// Leaflet (and its cluster plugin) is loaded only where a map is shown, once the map comes near
// the screen: the first paint and the first taps do not wait for 190 KB of map code. Map scripts
// call whenMapVisible(element, setup); the layout gives the fingerprinted URLs in data-css/data-js.
(() => {
  const { css, js } = document.currentScript.dataset;
  let loading = null;

  // Leaflet's styles go before the app's, so that the app's overrides (attribution links
  // underlined, cluster colours) still win once they arrive.
  const loaded = (element) =>
    new Promise((resolve, reject) => {
      element.onload = resolve;
      element.onerror = reject;
      const firstStyles = element.rel === 'stylesheet' ? document.head.querySelector('link[rel="stylesheet"]') : null;
      document.head.insertBefore(element, firstStyles);
    });

  function loadLeaflet() {
    loading ??= (async () => {
      const styles = css.split(' ').map((href) => loaded(Object.assign(document.createElement('link'), { rel: 'stylesheet', href })));
      // In order: the cluster plugin extends Leaflet.
      for (const src of js.split(' ')) await loaded(Object.assign(document.createElement('script'), { src }));
      await Promise.all(styles);
      return window.L;
    })();
    return loading;
  }

  window.whenMapVisible = (element, setup) => {
    // A hidden element never intersects: the map box shows only with JavaScript, from now on.
    element.hidden = false;
    if (!('IntersectionObserver' in window)) {
      loadLeaflet().then(() => setup(element));
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        observer.disconnect();
        loadLeaflet().then(() => setup(element));
      },
      { rootMargin: '200px' },
    );
    observer.observe(element);
  };
})();
