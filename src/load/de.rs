//! Reads typed values straight from a located [`Node`] tree.
//!
//! Once the schema check has found nothing wrong with an element, converting its tree to
//! JSON only to deserialise that JSON again was most of the typed read of a large model. This
//! deserialiser reads the tree directly, with the schema check's one coercion: a plain scalar
//! that YAML reads as a number is text where text is expected (`version: 1.2`). A value it
//! cannot read is an error, and the caller then falls back to the JSON path, so the result
//! never differs from it (test `load::de::tests`).

use super::node::{Node, Value};
use serde::de::value::Error;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

/// Reads `T` from `node`.
pub fn from_node<T: de::DeserializeOwned>(node: &Node) -> Result<T, Error> {
    T::deserialize(NodeDe(node))
}

#[derive(Clone, Copy)]
struct NodeDe<'a>(&'a Node);

impl<'de> de::Deserializer<'de> for NodeDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.0.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(x, _) => visitor.visit_f64(*x),
            Value::Str(s) => visitor.visit_borrowed_str(s.as_str()),
            Value::Seq(items) => visitor.visit_seq(Items(items.iter())),
            Value::Map(entries) => visitor.visit_map(Entries {
                entries: entries.iter(),
                value: None,
            }),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.0.value {
            Value::Int(i) => visitor.visit_string(i.to_string()),
            Value::Float(_, text) => visitor.visit_str(text.as_str()),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match &self.0.value {
            Value::Str(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            // Variants with data (`{variant: value}`) are not part of the model format; the
            // JSON path reads them if one ever is.
            _ => Err(de::Error::custom("expected a variant name")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct Items<'a>(std::slice::Iter<'a, Node>);

impl<'de> de::SeqAccess<'de> for Items<'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        self.0.next().map(|node| seed.deserialize(NodeDe(node))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Entries<'a> {
    entries: std::slice::Iter<'a, (Node, Node)>,
    value: Option<&'a Node>,
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(NodeDe(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| <Error as de::Error>::custom("a value without a key"))?;
        seed.deserialize(NodeDe(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    /// Every bundled model and test fixture reads the same through the tree as through JSON.
    #[test]
    fn reading_the_tree_equals_reading_its_json() {
        let mut files = Vec::new();
        let mut dirs: Vec<std::path::PathBuf> = ["models", "tests/fixtures", "examples"].map(Into::into).into();
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 50, "found only {files:?}");
        let texts: Vec<(String, String)> = files
            .iter()
            .map(|path| (path.display().to_string(), std::fs::read_to_string(path).unwrap()))
            .collect();
        let mut compared = 0;
        for (path, text) in texts {
            let Ok(Some(root)) = super::super::yaml::parse(&text) else {
                continue;
            };
            let (json, problems) =
                super::super::schema::Checker::new(super::super::compiled_model_schema()).check(&root);
            if !problems.is_empty() {
                continue;
            }
            let through_json = Model::deserialize(&json).map(|m| serde_json::to_value(m).unwrap());
            let through_tree = from_node::<Model>(&root).map(|m| serde_json::to_value(m).unwrap());
            assert!(through_json.is_ok(), "{path}: {through_json:?}");
            assert_eq!(through_json.ok(), through_tree.ok(), "{path}");
            compared += 1;
        }
        assert!(compared > 40, "compared only {compared} models");
    }

    #[test]
    fn numbers_are_text_where_text_is_expected() {
        let root = super::super::yaml::parse("version: 1.2\nname: 2024\n")
            .unwrap()
            .unwrap();
        let read: std::collections::BTreeMap<String, String> = from_node(&root).unwrap();
        assert_eq!(read["version"], "1.2");
        assert_eq!(read["name"], "2024");
    }

    use serde::Deserialize;
}
