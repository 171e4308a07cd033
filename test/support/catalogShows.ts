// Puts a catalog show into the database as if TMDB had matched it, cast included: the starting
// point of the crawl-activity tests.
import type { Db } from '../../src/db/index.js';
import type { Catalog, CatalogShow } from '../../src/standins/index.js';

export async function insertMatchedShow(db: Db, catalog: Catalog, show: CatalogShow, nameKey: string): Promise<number> {
  const { id } = await db.insertInto('shows').values({ name_key: nameKey, name: show.name, tmdb_status: 'matched', tmdb_id: show.id }).returning('id').executeTakeFirstOrThrow();
  for (const [order, member] of show.cast.entries()) {
    const actor = catalog.actorById.get(member.actorId)!;
    await db.insertInto('actors').values({ id: actor.id, name: actor.name, popularity: actor.popularity, profile_path: null }).onConflict((oc) => oc.column('id').doNothing()).execute();
    await db.insertInto('show_cast').values({ show_id: id, actor_id: actor.id, character: member.character, episode_count: member.episodeCount, billing_order: order }).execute();
  }
  return id;
}
