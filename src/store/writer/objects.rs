//! Which object a record is about: found in the writer's cache, in the store, or stored
//! new; the kinds and resources learned on the way; the ownerReferences between objects.

use std::borrow::Cow;

use anyhow::Result;
use rusqlite::{OptionalExtension, params};

use super::{CACHE_LIMIT, Slot, Writer};
use crate::model::kinds;
use crate::model::{ObjectName, OwnerRef, Shared};

impl Writer<'_> {
    /// The resource for a kind: built-in, learned from audit data, or kubectl's guess.
    pub(super) fn resource_for(&self, group: &str, kind: &str) -> String {
        if let Some(resource) = kinds::by_kind(group, kind).filter(|r| r.group == group).map(|r| r.resource) {
            return resource.to_owned();
        }
        self.learned.get(&(group.to_owned(), kind.to_owned())).cloned().unwrap_or_else(|| kinds::guess_resource(kind))
    }

    pub(super) fn learn(&mut self, target: &ObjectName) -> Result<()> {
        if target.kind.is_empty()
            || target.resource.is_empty()
            || kinds::by_resource(&target.group, &target.resource).is_some()
        {
            return Ok(());
        }
        let key = (target.group.to_string(), target.kind.to_string());
        if self.learned.get(&key).is_some_and(|known| **known == *target.resource) {
            return Ok(());
        }
        self.conn.execute(
            "INSERT OR REPLACE INTO api_resources (api_group, resource, kind) VALUES (?1, ?2, ?3)",
            params![target.group, target.resource, target.kind],
        )?;
        self.learned.insert(key, target.resource.to_string());
        Ok(())
    }

    /// The object a record names: by uid when it has one, else by name. `None` for
    /// requests on no single object (list, watch, create without a known name). `seen`: when
    /// the record saw it (first, last); a new object is stored with these times rather than
    /// updated to them later, which spares most objects of an Event dump an UPDATE.
    pub(super) fn object(&mut self, cluster: i64, name: &ObjectName, seen: Option<(i64, i64)>) -> Result<Option<i64>> {
        self.resolve(cluster, name, seen, false)
    }

    /// [`Writer::object`]; `namespace_guessed`: the name's namespace is a guess (an owner of
    /// unknown scope, placed in its dependent's namespace).
    fn resolve(
        &mut self,
        cluster: i64,
        name: &ObjectName,
        seen: Option<(i64, i64)>,
        namespace_guessed: bool,
    ) -> Result<Option<i64>> {
        if name.uid.is_none() && name.name.is_empty() {
            return Ok(None);
        }
        let resource: Cow<str> = if name.resource.is_empty() && !name.kind.is_empty() {
            Cow::Owned(self.resource_for(&name.group, &name.kind))
        } else {
            Cow::Borrowed(&name.resource)
        };
        let kind = match kinds::by_resource(&name.group, &resource) {
            Some(builtin) if name.kind.is_empty() => builtin.kind,
            _ => &*name.kind,
        };
        self.object_key(cluster, name, &resource);
        let info = (!kind.is_empty() && !name.api_version.is_empty()).then_some((kind, &*name.api_version));
        if let Some(slot) = self.objects.get_mut(self.key.as_str()) {
            let id = slot.id;
            let learns = slot.needs_info && info.is_some();
            let placed = slot.namespace_guessed && !namespace_guessed;
            slot.needs_info &= !learns;
            slot.namespace_guessed &= !placed;
            if learns {
                self.learn_info(id, info);
            }
            if placed {
                self.updates.entry(id).or_default().namespace = Some(name.namespace.to_string());
            }
            self.seen(id, seen);
            return Ok(Some(id));
        }
        let (id, needs_info, guessed) = match self.stored_object(cluster, name, &resource)? {
            Some((id, needs_info)) => {
                if needs_info {
                    self.learn_info(id, info);
                }
                self.seen(id, seen);
                (id, needs_info && info.is_none(), false)
            }
            None => (self.insert_object(cluster, name, &resource, kind, seen)?, info.is_none(), namespace_guessed),
        };
        if self.objects.len() >= CACHE_LIMIT {
            self.objects.clear();
            // Objects written earlier are no longer all in the cache: ask the store on a miss.
            self.started_empty = false;
        }
        self.objects.insert(self.key.clone(), Slot { id, needs_info, namespace_guessed: guessed });
        Ok(Some(id))
    }

    /// `cluster \0 uid`, or `cluster \0 group \0 resource \0 namespace \0 name`, in `self.key`.
    fn object_key(&mut self, cluster: i64, name: &ObjectName, resource: &str) {
        self.key.clear();
        self.key.push_str(itoa::Buffer::new().format(cluster));
        match &name.uid {
            Some(uid) => {
                self.key.push('\0');
                self.key.push_str(uid);
            }
            None => {
                // Four separators where a uid key has one: the two kinds never collide.
                for part in [&name.group, resource, &name.namespace, &name.name] {
                    self.key.push('\0');
                    self.key.push_str(part);
                }
            }
        }
    }

    /// The kind and apiVersion of an object stored without them, once a record tells.
    fn learn_info(&mut self, id: i64, info: Option<(&str, &str)>) {
        if let Some((kind, api_version)) = info {
            let update = self.updates.entry(id).or_default();
            update.kind = Some(kind.to_owned());
            update.api_version = Some(api_version.to_owned());
        }
    }

    /// An object the store holds but the cache forgot (or a store that did not start empty),
    /// and whether its kind or apiVersion is still unknown.
    fn stored_object(&self, cluster: i64, name: &ObjectName, resource: &str) -> Result<Option<(i64, bool)>> {
        let row = |r: &rusqlite::Row| Ok((r.get(0)?, r.get(1)?));
        Ok(match &name.uid {
            // Every object of a store that started empty is in `self.objects`.
            _ if self.started_empty => None,
            Some(uid) => self
                .conn
                .prepare_cached("SELECT id, kind = '' OR api_version = '' FROM objects WHERE cluster_id = ?1 AND uid = ?2")?
                .query_row(params![cluster, uid], row)
                .optional()?,
            None => self
                .conn
                .prepare_cached(
                    "SELECT id, kind = '' OR api_version = '' FROM objects
                     WHERE cluster_id = ?1 AND api_group = ?2 AND resource = ?3 AND namespace = ?4 AND name = ?5 AND uid IS NULL",
                )?
                .query_row(params![cluster, name.group, resource, name.namespace, name.name], row)
                .optional()?,
        })
    }

    fn insert_object(
        &mut self,
        cluster: i64,
        name: &ObjectName,
        resource: &str,
        kind: &str,
        seen: Option<(i64, i64)>,
    ) -> Result<i64> {
        let version = name.api_version.to_string();
        self.conn
            .prepare_cached(
                "INSERT INTO objects (cluster_id, uid, api_group, api_version, resource, kind, namespace, name,
                                      first_seen_us, last_seen_us)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                cluster,
                name.uid,
                name.group,
                version,
                resource,
                kind,
                name.namespace,
                name.name,
                seen.map(|s| s.0),
                seen.map(|s| s.1),
            ])?;
        self.summary.objects_added += 1;
        Ok(self.conn.last_insert_rowid())
    }

    /// The id of an object already known by uid, without building its name.
    fn known_uid(&mut self, cluster: i64, uid: &str) -> Option<i64> {
        self.key.clear();
        self.key.push_str(itoa::Buffer::new().format(cluster));
        self.key.push('\0');
        self.key.push_str(uid);
        self.objects.get(self.key.as_str()).map(|slot| slot.id)
    }

    pub(super) fn owners(
        &mut self,
        cluster: i64,
        owned: i64,
        owned_namespace: &Shared,
        owners: &[OwnerRef],
    ) -> Result<()> {
        for owner in owners {
            if let Some(owner_id) = self.known_uid(cluster, &owner.uid)
                && self.owner_links.contains(&(owned, owner_id))
            {
                continue;
            }
            let group = kinds::group_of(&owner.api_version);
            let link = owner.parent_link.as_ref();
            let resource = match link {
                Some(link) => link.resource.clone(),
                None => self.resource_for(group, &owner.kind),
            };
            let group = kinds::canonical_group(group, &resource);
            // A parent link may name another cluster.
            let cluster = match link.and_then(|l| l.cluster.as_deref()) {
                Some(other) => self.cluster(Some(other))?,
                None => cluster,
            };
            // Owners are in the dependent's namespace, or cluster-scoped: the built-in kinds
            // say which, and the objects of other kinds seen so far. Otherwise the dependent's
            // namespace is a guess, which the owner's own records correct.
            let scope = kinds::by_resource(group, &resource)
                .map(|r| r.namespaced)
                .or_else(|| self.scopes.get(&(group.to_owned(), owner.kind.clone())).copied());
            let name = ObjectName {
                group: group.into(),
                api_version: owner.api_version.as_str().into(),
                resource: resource.into(),
                kind: owner.kind.as_str().into(),
                namespace: match link {
                    Some(link) => link.namespace.as_str().into(),
                    None if scope.unwrap_or(true) => owned_namespace.clone(),
                    None => "".into(),
                },
                name: owner.name.clone(),
                uid: Some(owner.uid.clone()),
            };
            let Some(owner_id) = self.resolve(cluster, &name, None, scope.is_none() && link.is_none())? else {
                continue;
            };
            if self.owner_links.len() >= CACHE_LIMIT {
                self.owner_links.clear();
            }
            if !self.owner_links.insert((owned, owner_id)) {
                continue;
            }
            let changed = self
                .conn
                .prepare_cached(
                    "INSERT INTO owner_refs (object_id, owner_id, controller) VALUES (?1, ?2, ?3)
                 ON CONFLICT (object_id, owner_id) DO UPDATE SET controller = max(controller, excluded.controller)
                 WHERE excluded.controller > controller",
                )?
                .execute(params![owned, owner_id, if link.is_some() { 2 } else { i64::from(owner.controller) }])?;
            if changed > 0 {
                self.summary.owner_links_added += 1;
            }
        }
        Ok(())
    }
}
