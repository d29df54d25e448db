//! Lists with a bound on their length (a role's grants and parents, a user's roles).

use serde::{Deserialize, Deserializer};

/// A list of at most `MAX` items; a longer one is refused while the body is read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capped<T, const MAX: usize>(Vec<T>);

impl<T, const MAX: usize> Capped<T, MAX> {
    /// The items.
    pub fn into_inner(self) -> Vec<T> {
        self.0
    }

    /// The items, borrowed.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }
}

impl<T, const MAX: usize> TryFrom<Vec<T>> for Capped<T, MAX> {
    type Error = String;

    fn try_from(items: Vec<T>) -> Result<Self, String> {
        if items.len() > MAX {
            return Err(format!("at most {MAX} items"));
        }
        Ok(Self(items))
    }
}

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for Capped<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let items = Vec::<T>::deserialize(deserializer)?;
        Self::try_from(items).map_err(serde::de::Error::custom)
    }
}

impl<T: utoipa::ToSchema, const MAX: usize> utoipa::PartialSchema for Capped<T, MAX> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ArrayBuilder::new()
            .items(T::schema())
            .max_items(Some(MAX))
            .into()
    }
}

impl<T: utoipa::ToSchema, const MAX: usize> utoipa::ToSchema for Capped<T, MAX> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longer_lists_are_refused_when_read() {
        assert!(serde_json::from_str::<Capped<String, 2>>(r#"["a","b"]"#).is_ok());
        let err = serde_json::from_str::<Capped<String, 2>>(r#"["a","b","c"]"#).unwrap_err();
        assert!(err.to_string().starts_with("at most 2 items"), "{err}");
    }
}
