/* global window, document, sessionStorage, location */
// Stands in for VS Code's side of a webview in the browser tests, loaded with the page's nonce
// before the view's bundle: acquireVsCodeApi (once per page, as in VS Code) records what the view
// posts, keeps its state in sessionStorage so a reload restores it as VS Code would, and
// window.__convlab.deliver plays a host message.
(function () {
  const posted = [];
  const problems = [];
  const stateKey = `convlab-state:${location.pathname}`;
  document.addEventListener('securitypolicyviolation', (event) => {
    problems.push(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'an inline resource'}`);
  });
  window.__convlab = {
    posted,
    problems,
    deliver(message) {
      window.postMessage(message, '*');
    },
  };
  let acquired = false;
  window.acquireVsCodeApi = function () {
    if (acquired) throw new Error('acquireVsCodeApi may only be called once');
    acquired = true;
    return {
      postMessage: (message) => posted.push(JSON.parse(JSON.stringify(message))),
      getState: () => {
        const saved = sessionStorage.getItem(stateKey);
        return saved === null ? undefined : JSON.parse(saved);
      },
      setState: (state) => {
        sessionStorage.setItem(stateKey, JSON.stringify(state));
        return state;
      },
    };
  };
})();
