// The question contract: function-tool definitions and prompts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PERSONALITIES, STAR_SIGNS, type TvBffInput } from '../../src/domain/ai/answers.js';
import { questions, starSignQuestion, tvBffQuestion } from '../../src/domain/ai/questions.js';

void test('questions expose a function-tool definition with a JSON schema', () => {
  for (const q of Object.values(questions)) {
    assert.match(q.name, /^[a-z_]+$/);
    assert.equal(q.parameters.type, 'object');
    assert.equal('$schema' in q.parameters, false);
  }
  const props = starSignQuestion.parameters.properties as Record<string, { properties: Record<string, { enum?: string[]; maxLength?: number }> }>;
  assert.deepEqual(props.starSign.properties.sign.enum, [...STAR_SIGNS]);
  assert.deepEqual(props.personality.properties.name.enum, [...PERSONALITIES]);
  assert.equal(props.starSign.properties.quip.maxLength, 140);
});

void test('prompts carry the facts', () => {
  const input: TvBffInput = {
    show: { name: 'Dark', genres: ['Drama'] },
    characters: [{ name: 'Jonas Kahnwald', actor: 'Louis Hofmann', episodes: 26, popularity: 12, imageUrl: null }],
    topGenres: ['Drama', 'Mystery'],
  };
  const prompt = tvBffQuestion.buildPrompt(input);
  assert.match(prompt, /Jonas Kahnwald/);
  assert.match(prompt, /Drama, Mystery/);
});
