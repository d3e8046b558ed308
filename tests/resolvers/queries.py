"""Queries shared by the resolver tests, as a client would send them."""

import base64


def encode(type_name: str, key: object) -> str:
    """A global id as the gateway issues it; tests use it to name seeded records."""
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode()


CUSTOMER_360 = """
query Customer360($id: ID!, $first: Int!) {
  customer(id: $id) {
    id name email isCompany reference
    addresses { kind city countryCode countryName region }
    orders(first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id number status orderedAt
        untaxed { amount currency }
        total { amount currency }
        customer { id }
        lines {
          description
          quantity { value unit }
          subtotal { amount currency }
          product {
            id sku name salesUnit
            stock { onHand { value unit } available { value unit }
                    warehouses { warehouse { code name } onHand { value } available { value } } }
          }
        }
        invoices {
          id number paymentStatus
          total { amount currency }
          amountDue { amount currency }
          payments { id number paidOn amount { amount currency } }
        }
      }
    }
    invoices(first: 5) { totalCount nodes { id number paymentStatus } }
    payments(first: 5) { totalCount nodes { id number amount { amount currency } } }
  }
}
"""

ORDERS_PAGE = """
query Orders($id: ID!, $first: Int!, $after: String) {
  customer(id: $id) {
    orders(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id number orderedAt } }
    }
  }
}
"""

FEDERATED_360 = """
query Federated360($id: ID!, $first: Int!) {
  customer(id: $id) {
    id name email
    crm {
      contactId companyName lifecycleStage lastActivityAt
      accountManager { name email }
      openDeals { name stage amount { amount currency } closesOn }
    }
    shop {
      id email
      orders(first: 20) {
        totalCount
        nodes { number status total { amount currency } erpOrder { id customer { id } } }
      }
    }
    orders(first: $first) {
      nodes {
        id number channel customerReference total { amount currency }
        shopOrder { number status total { amount currency } }
        lines {
          product {
            sku
            stock { available { value } }
            shopListing { published listedStock inSync price { amount currency } }
          }
        }
      }
    }
  }
}
"""
