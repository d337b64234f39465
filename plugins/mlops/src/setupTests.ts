import '@testing-library/jest-dom';

// A shared 2-core machine renders MUI pages slowly; the default 5 s is too tight.
jest.setTimeout(60_000);

// jsdom has no layout: DependencyGraph measures nodes with getBBox and recharts'
// ResponsiveContainer observes its size, so give both something to read.
if (typeof window !== 'undefined') {
  const proto = window.SVGElement.prototype as any;
  if (!proto.getBBox) {
    proto.getBBox = () => ({ x: 0, y: 0, width: 180, height: 66 });
  }
  if (!(window as any).ResizeObserver) {
    (window as any).ResizeObserver = class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
  }
}
