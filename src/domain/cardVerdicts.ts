// What a story card may claim (thresholds for provisional verdicts, the short story of a tiny
// history, quips that never repeat their title): one rule for the viewer's page, the share page and
// the images. It lives in src/api/web/verdicts.js because the page loads that file as it is.
export { ALL_CARDS, VERDICT_RULES, type Verdicts, cardVerdicts, criticsAndAudience, percent, quipAfter, storyCards, tasteKind, watchedLine } from '../api/web/verdicts.js';
