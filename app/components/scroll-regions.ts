import { useEffect } from "react";

/**
 * A table or chart wider than the phone scrolls inside its own box (app.css: table.data,
 * .table-scroll, .chart-box); a keyboard user can scroll it only when the box takes focus
 * (WCAG 2.1.1, axe "scrollable-region-focusable"). Boxes that scroll get tabindex="0" and those
 * that no longer do lose it, after every navigation, resize and change of the page's content, so
 * wide screens keep no extra tab stops.
 */
export function useFocusableScrollBoxes(key: string) {
  useEffect(() => {
    const mark = () => {
      for (const el of Array.from(document.querySelectorAll<HTMLElement>("main *"))) {
        const scrolls =
          el.scrollWidth > el.clientWidth + 1 &&
          ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
        if (scrolls && !el.hasAttribute("tabindex")) {
          el.setAttribute("tabindex", "0");
          el.dataset.scrollFocus = "1";
        } else if (!scrolls && el.dataset.scrollFocus) {
          el.removeAttribute("tabindex");
          delete el.dataset.scrollFocus;
        }
      }
    };
    let frame = 0;
    const later = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(mark);
    };
    mark();
    // Charts draw after hydration and loaders revalidate: look again when main's content changes.
    const main = document.querySelector("main");
    const observer = new MutationObserver(later);
    if (main) observer.observe(main, { childList: true, subtree: true });
    window.addEventListener("resize", later);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      window.removeEventListener("resize", later);
    };
  }, [key]);
}
