export function ScorePage() {
  return <h1>ScorePage</h1>;
}
