// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package contracts

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// ProtectedVaultMetaData contains all meta data concerning the ProtectedVault contract.
var ProtectedVaultMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"address\",\"name\":\"admin\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"pauser\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"operator\",\"type\":\"address\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[],\"name\":\"AccessControlBadConfirmation\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"neededRole\",\"type\":\"bytes32\"}],\"name\":\"AccessControlUnauthorizedAccount\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"EnforcedPause\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ExpectedPause\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"balance\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"InsufficientBalance\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"TransferFailed\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"limit\",\"type\":\"uint256\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"WithdrawLimitExceeded\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAddress\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAmount\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Deposited\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"Paused\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"previousAdminRole\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"newAdminRole\",\"type\":\"bytes32\"}],\"name\":\"RoleAdminChanged\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"RoleGranted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"RoleRevoked\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"operator\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Swept\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"Unpaused\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"operator\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"limit\",\"type\":\"uint256\"}],\"name\":\"WithdrawLimitSet\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Withdrawn\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"DEFAULT_ADMIN_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"OPERATOR_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"PAUSER_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"balanceOf\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"deposit\",\"outputs\":[],\"stateMutability\":\"payable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"}],\"name\":\"getRoleAdmin\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"grantRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"hasRole\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"pause\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"paused\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"callerConfirmation\",\"type\":\"address\"}],\"name\":\"renounceRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"revokeRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"limit\",\"type\":\"uint256\"}],\"name\":\"setWithdrawLimit\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes4\",\"name\":\"interfaceId\",\"type\":\"bytes4\"}],\"name\":\"supportsInterface\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"}],\"name\":\"sweep\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"unpause\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"withdraw\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"withdrawLimit\",\"outputs\":[{\"internalType\":\"uint256\",\"name\":\"\",\"type\":\"uint256\"}],\"stateMutability\":\"view\",\"type\":\"function\"}]",
	ID:  "ProtectedVault",
	Bin: "0x608060405234801561000f575f5ffd5b50604051610c4d380380610c4d83398101604081905261002e91610182565b6001600160a01b0383166100555760405163d92e233d60e01b815260040160405180910390fd5b61005f5f846100be565b5061008a7f65d7a28e3265b37a6474929f336521b332c1681b933f6cb9f3376673440d862a836100be565b506100b57f97667070c54ef182b0f5858b034beac1b6f3089aa2d3188bb1e8929f4fa9b929826100be565b505050506101c2565b5f828152602081815260408083206001600160a01b038516845290915281205460ff1661015e575f838152602081815260408083206001600160a01b03861684529091529020805460ff191660011790556101163390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a4506001610161565b505f5b92915050565b80516001600160a01b038116811461017d575f5ffd5b919050565b5f5f5f60608486031215610194575f5ffd5b61019d84610167565b92506101ab60208501610167565b91506101b960408501610167565b90509250925092565b610a7e806101cf5f395ff3fe608060405260043610610105575f3560e01c806370a0823111610092578063d0e30db011610062578063d0e30db0146102b2578063d547741f146102ba578063e63ab1e9146102d9578063f5b541a61461030c578063f848d5411461033f575f5ffd5b806370a08231146102415780638456cb591461026c57806391d1485414610280578063a217fddf1461029f575f5ffd5b80632f2ff15d116100d85780632f2ff15d146101b957806336568abe146101d85780633f4ba83a146101f75780634abdf2e01461020b5780635c975abb1461022a575f5ffd5b806301681a621461010957806301ffc9a71461012a578063248a9ca31461015e5780632e1a7d4d1461019a575b5f5ffd5b348015610114575f5ffd5b506101286101233660046109af565b610354565b005b348015610135575f5ffd5b506101496101443660046109cf565b6103fe565b60405190151581526020015b60405180910390f35b348015610169575f5ffd5b5061018c6101783660046109f6565b5f9081526020819052604090206001015490565b604051908152602001610155565b3480156101a5575f5ffd5b506101286101b43660046109f6565b610434565b3480156101c4575f5ffd5b506101286101d3366004610a0d565b610535565b3480156101e3575f5ffd5b506101286101f2366004610a0d565b61055f565b348015610202575f5ffd5b50610128610592565b348015610216575f5ffd5b506101286102253660046109f6565b6105a7565b348015610235575f5ffd5b5060015460ff16610149565b34801561024c575f5ffd5b5061018c61025b3660046109af565b60026020525f908152604090205481565b348015610277575f5ffd5b5061012861060f565b34801561028b575f5ffd5b5061014961029a366004610a0d565b610641565b3480156102aa575f5ffd5b5061018c5f81565b610128610669565b3480156102c5575f5ffd5b506101286102d4366004610a0d565b6106eb565b3480156102e4575f5ffd5b5061018c7f65d7a28e3265b37a6474929f336521b332c1681b933f6cb9f3376673440d862a81565b348015610317575f5ffd5b5061018c7f97667070c54ef182b0f5858b034beac1b6f3089aa2d3188bb1e8929f4fa9b92981565b34801561034a575f5ffd5b5061018c60035481565b7f97667070c54ef182b0f5858b034beac1b6f3089aa2d3188bb1e8929f4fa9b92961037e8161070f565b610386610719565b6001600160a01b0382166103ad5760405163d92e233d60e01b815260040160405180910390fd5b60405147808252906001600160a01b0384169033907f7b09c29f9106defeccc9ac3b823f3aad0b470d120e5df7aed033b5c43a4bf7189060200160405180910390a36103f9838261073f565b505050565b5f6001600160e01b03198216637965db0b60e01b148061042e57506301ffc9a760e01b6001600160e01b03198316145b92915050565b61043c610719565b805f0361045c57604051631f2a200560e01b815260040160405180910390fd5b600354801580159061046d57508082115b1561049a5760405163016d0ef160e01b815260048101829052602481018390526044015b60405180910390fd5b335f90815260026020526040902054808311156104d45760405163cf47918160e01b81526004810182905260248101849052604401610491565b6104de8382610a4b565b335f81815260026020526040908190209290925590517f7084f5476618d8e60b11ef0d7d3f06914655adb8793e28ff7f018d4c76d505d5906105239086815260200190565b60405180910390a26103f9338461073f565b5f8281526020819052604090206001015461054f8161070f565b61055983836107af565b50505050565b6001600160a01b03811633146105885760405163334bd91960e11b815260040160405180910390fd5b6103f9828261083e565b5f61059c8161070f565b6105a46108a7565b50565b7f97667070c54ef182b0f5858b034beac1b6f3089aa2d3188bb1e8929f4fa9b9296105d18161070f565b600382905560405182815233907f44ea9e0438fbaaab4aa7ea06bf2dfcd0c92ee818892b3f37ef42a7d37918fddf9060200160405180910390a25050565b7f65d7a28e3265b37a6474929f336521b332c1681b933f6cb9f3376673440d862a6106398161070f565b6105a46108f9565b5f918252602082815260408084206001600160a01b0393909316845291905290205460ff1690565b610671610719565b345f0361069157604051631f2a200560e01b815260040160405180910390fd5b335f90815260026020526040812080543492906106af908490610a5e565b909155505060405134815233907f2da466a7b24304f47e87fa2e1e5a81b9831ce54fec19055ce277ca2f39ba42c49060200160405180910390a2565b5f828152602081905260409020600101546107058161070f565b610559838361083e565b6105a48133610934565b60015460ff161561073d5760405163d93c066560e01b815260040160405180910390fd5b565b5f826001600160a01b0316826040515f6040518083038185875af1925050503d805f8114610788576040519150601f19603f3d011682016040523d82523d5f602084013e61078d565b606091505b50509050806103f9576040516312171d8360e31b815260040160405180910390fd5b5f6107ba8383610641565b610837575f838152602081815260408083206001600160a01b03861684529091529020805460ff191660011790556107ef3390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a450600161042e565b505f61042e565b5f6108498383610641565b15610837575f838152602081815260408083206001600160a01b0386168085529252808320805460ff1916905551339286917ff6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b9190a450600161042e565b6108af610971565b6001805460ff191690557f5db9ee0a495bf2e6ff9c91a7834c1ba4fdd244a5e8aa4e537bd38aeae4b073aa335b6040516001600160a01b03909116815260200160405180910390a1565b610901610719565b6001805460ff1916811790557f62e78cea01bee320cd4e420270b5ea74000d11b0c9f74754ebdbfc544b05a258336108dc565b61093e8282610641565b61096d5760405163e2517d3f60e01b81526001600160a01b038216600482015260248101839052604401610491565b5050565b60015460ff1661073d57604051638dfc202b60e01b815260040160405180910390fd5b80356001600160a01b03811681146109aa575f5ffd5b919050565b5f602082840312156109bf575f5ffd5b6109c882610994565b9392505050565b5f602082840312156109df575f5ffd5b81356001600160e01b0319811681146109c8575f5ffd5b5f60208284031215610a06575f5ffd5b5035919050565b5f5f60408385031215610a1e575f5ffd5b82359150610a2e60208401610994565b90509250929050565b634e487b7160e01b5f52601160045260245ffd5b8181038181111561042e5761042e610a37565b8082018082111561042e5761042e610a3756fea164736f6c6343000825000a",
}

// ProtectedVault is an auto generated Go binding around an Ethereum contract.
type ProtectedVault struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *ProtectedVault) GetABI() abi.ABI {
	return c.abi
}

// NewProtectedVault creates a new instance of ProtectedVault.
func NewProtectedVault() *ProtectedVault {
	parsed, err := ProtectedVaultMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &ProtectedVault{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *ProtectedVault) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address admin, address pauser, address operator) returns()
func (protectedVault *ProtectedVault) PackConstructor(admin common.Address, pauser common.Address, operator common.Address) []byte {
	enc, err := protectedVault.abi.Pack("", admin, pauser, operator)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackDEFAULTADMINROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa217fddf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (protectedVault *ProtectedVault) PackDEFAULTADMINROLE() []byte {
	enc, err := protectedVault.abi.Pack("DEFAULT_ADMIN_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDEFAULTADMINROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa217fddf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (protectedVault *ProtectedVault) TryPackDEFAULTADMINROLE() ([]byte, error) {
	return protectedVault.abi.Pack("DEFAULT_ADMIN_ROLE")
}

// UnpackDEFAULTADMINROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa217fddf.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (protectedVault *ProtectedVault) UnpackDEFAULTADMINROLE(data []byte) ([32]byte, error) {
	out, err := protectedVault.abi.Unpack("DEFAULT_ADMIN_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackOPERATORROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf5b541a6.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function OPERATOR_ROLE() view returns(bytes32)
func (protectedVault *ProtectedVault) PackOPERATORROLE() []byte {
	enc, err := protectedVault.abi.Pack("OPERATOR_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackOPERATORROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf5b541a6.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function OPERATOR_ROLE() view returns(bytes32)
func (protectedVault *ProtectedVault) TryPackOPERATORROLE() ([]byte, error) {
	return protectedVault.abi.Pack("OPERATOR_ROLE")
}

// UnpackOPERATORROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xf5b541a6.
//
// Solidity: function OPERATOR_ROLE() view returns(bytes32)
func (protectedVault *ProtectedVault) UnpackOPERATORROLE(data []byte) ([32]byte, error) {
	out, err := protectedVault.abi.Unpack("OPERATOR_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackPAUSERROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe63ab1e9.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function PAUSER_ROLE() view returns(bytes32)
func (protectedVault *ProtectedVault) PackPAUSERROLE() []byte {
	enc, err := protectedVault.abi.Pack("PAUSER_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPAUSERROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe63ab1e9.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function PAUSER_ROLE() view returns(bytes32)
func (protectedVault *ProtectedVault) TryPackPAUSERROLE() ([]byte, error) {
	return protectedVault.abi.Pack("PAUSER_ROLE")
}

// UnpackPAUSERROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xe63ab1e9.
//
// Solidity: function PAUSER_ROLE() view returns(bytes32)
func (protectedVault *ProtectedVault) UnpackPAUSERROLE(data []byte) ([32]byte, error) {
	out, err := protectedVault.abi.Unpack("PAUSER_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackBalanceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x70a08231.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (protectedVault *ProtectedVault) PackBalanceOf(account common.Address) []byte {
	enc, err := protectedVault.abi.Pack("balanceOf", account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackBalanceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x70a08231.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (protectedVault *ProtectedVault) TryPackBalanceOf(account common.Address) ([]byte, error) {
	return protectedVault.abi.Pack("balanceOf", account)
}

// UnpackBalanceOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x70a08231.
//
// Solidity: function balanceOf(address account) view returns(uint256)
func (protectedVault *ProtectedVault) UnpackBalanceOf(data []byte) (*big.Int, error) {
	out, err := protectedVault.abi.Unpack("balanceOf", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// PackDeposit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd0e30db0.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function deposit() payable returns()
func (protectedVault *ProtectedVault) PackDeposit() []byte {
	enc, err := protectedVault.abi.Pack("deposit")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDeposit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd0e30db0.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function deposit() payable returns()
func (protectedVault *ProtectedVault) TryPackDeposit() ([]byte, error) {
	return protectedVault.abi.Pack("deposit")
}

// PackGetRoleAdmin is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x248a9ca3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (protectedVault *ProtectedVault) PackGetRoleAdmin(role [32]byte) []byte {
	enc, err := protectedVault.abi.Pack("getRoleAdmin", role)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGetRoleAdmin is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x248a9ca3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (protectedVault *ProtectedVault) TryPackGetRoleAdmin(role [32]byte) ([]byte, error) {
	return protectedVault.abi.Pack("getRoleAdmin", role)
}

// UnpackGetRoleAdmin is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x248a9ca3.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (protectedVault *ProtectedVault) UnpackGetRoleAdmin(data []byte) ([32]byte, error) {
	out, err := protectedVault.abi.Unpack("getRoleAdmin", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackGrantRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f2ff15d.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function grantRole(bytes32 role, address account) returns()
func (protectedVault *ProtectedVault) PackGrantRole(role [32]byte, account common.Address) []byte {
	enc, err := protectedVault.abi.Pack("grantRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGrantRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f2ff15d.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function grantRole(bytes32 role, address account) returns()
func (protectedVault *ProtectedVault) TryPackGrantRole(role [32]byte, account common.Address) ([]byte, error) {
	return protectedVault.abi.Pack("grantRole", role, account)
}

// PackHasRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91d14854.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (protectedVault *ProtectedVault) PackHasRole(role [32]byte, account common.Address) []byte {
	enc, err := protectedVault.abi.Pack("hasRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackHasRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91d14854.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (protectedVault *ProtectedVault) TryPackHasRole(role [32]byte, account common.Address) ([]byte, error) {
	return protectedVault.abi.Pack("hasRole", role, account)
}

// UnpackHasRole is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x91d14854.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (protectedVault *ProtectedVault) UnpackHasRole(data []byte) (bool, error) {
	out, err := protectedVault.abi.Unpack("hasRole", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackPause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8456cb59.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function pause() returns()
func (protectedVault *ProtectedVault) PackPause() []byte {
	enc, err := protectedVault.abi.Pack("pause")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8456cb59.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function pause() returns()
func (protectedVault *ProtectedVault) TryPackPause() ([]byte, error) {
	return protectedVault.abi.Pack("pause")
}

// PackPaused is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5c975abb.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function paused() view returns(bool)
func (protectedVault *ProtectedVault) PackPaused() []byte {
	enc, err := protectedVault.abi.Pack("paused")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackPaused is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x5c975abb.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function paused() view returns(bool)
func (protectedVault *ProtectedVault) TryPackPaused() ([]byte, error) {
	return protectedVault.abi.Pack("paused")
}

// UnpackPaused is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x5c975abb.
//
// Solidity: function paused() view returns(bool)
func (protectedVault *ProtectedVault) UnpackPaused(data []byte) (bool, error) {
	out, err := protectedVault.abi.Unpack("paused", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackRenounceRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x36568abe.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function renounceRole(bytes32 role, address callerConfirmation) returns()
func (protectedVault *ProtectedVault) PackRenounceRole(role [32]byte, callerConfirmation common.Address) []byte {
	enc, err := protectedVault.abi.Pack("renounceRole", role, callerConfirmation)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRenounceRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x36568abe.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function renounceRole(bytes32 role, address callerConfirmation) returns()
func (protectedVault *ProtectedVault) TryPackRenounceRole(role [32]byte, callerConfirmation common.Address) ([]byte, error) {
	return protectedVault.abi.Pack("renounceRole", role, callerConfirmation)
}

// PackRevokeRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd547741f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeRole(bytes32 role, address account) returns()
func (protectedVault *ProtectedVault) PackRevokeRole(role [32]byte, account common.Address) []byte {
	enc, err := protectedVault.abi.Pack("revokeRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd547741f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeRole(bytes32 role, address account) returns()
func (protectedVault *ProtectedVault) TryPackRevokeRole(role [32]byte, account common.Address) ([]byte, error) {
	return protectedVault.abi.Pack("revokeRole", role, account)
}

// PackSetWithdrawLimit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4abdf2e0.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function setWithdrawLimit(uint256 limit) returns()
func (protectedVault *ProtectedVault) PackSetWithdrawLimit(limit *big.Int) []byte {
	enc, err := protectedVault.abi.Pack("setWithdrawLimit", limit)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSetWithdrawLimit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4abdf2e0.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function setWithdrawLimit(uint256 limit) returns()
func (protectedVault *ProtectedVault) TryPackSetWithdrawLimit(limit *big.Int) ([]byte, error) {
	return protectedVault.abi.Pack("setWithdrawLimit", limit)
}

// PackSupportsInterface is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01ffc9a7.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (protectedVault *ProtectedVault) PackSupportsInterface(interfaceId [4]byte) []byte {
	enc, err := protectedVault.abi.Pack("supportsInterface", interfaceId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSupportsInterface is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01ffc9a7.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (protectedVault *ProtectedVault) TryPackSupportsInterface(interfaceId [4]byte) ([]byte, error) {
	return protectedVault.abi.Pack("supportsInterface", interfaceId)
}

// UnpackSupportsInterface is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x01ffc9a7.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (protectedVault *ProtectedVault) UnpackSupportsInterface(data []byte) (bool, error) {
	out, err := protectedVault.abi.Unpack("supportsInterface", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackSweep is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01681a62.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function sweep(address to) returns()
func (protectedVault *ProtectedVault) PackSweep(to common.Address) []byte {
	enc, err := protectedVault.abi.Pack("sweep", to)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSweep is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01681a62.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function sweep(address to) returns()
func (protectedVault *ProtectedVault) TryPackSweep(to common.Address) ([]byte, error) {
	return protectedVault.abi.Pack("sweep", to)
}

// PackUnpause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3f4ba83a.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function unpause() returns()
func (protectedVault *ProtectedVault) PackUnpause() []byte {
	enc, err := protectedVault.abi.Pack("unpause")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackUnpause is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3f4ba83a.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function unpause() returns()
func (protectedVault *ProtectedVault) TryPackUnpause() ([]byte, error) {
	return protectedVault.abi.Pack("unpause")
}

// PackWithdraw is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2e1a7d4d.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function withdraw(uint256 amount) returns()
func (protectedVault *ProtectedVault) PackWithdraw(amount *big.Int) []byte {
	enc, err := protectedVault.abi.Pack("withdraw", amount)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackWithdraw is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2e1a7d4d.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function withdraw(uint256 amount) returns()
func (protectedVault *ProtectedVault) TryPackWithdraw(amount *big.Int) ([]byte, error) {
	return protectedVault.abi.Pack("withdraw", amount)
}

// PackWithdrawLimit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf848d541.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function withdrawLimit() view returns(uint256)
func (protectedVault *ProtectedVault) PackWithdrawLimit() []byte {
	enc, err := protectedVault.abi.Pack("withdrawLimit")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackWithdrawLimit is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf848d541.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function withdrawLimit() view returns(uint256)
func (protectedVault *ProtectedVault) TryPackWithdrawLimit() ([]byte, error) {
	return protectedVault.abi.Pack("withdrawLimit")
}

// UnpackWithdrawLimit is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xf848d541.
//
// Solidity: function withdrawLimit() view returns(uint256)
func (protectedVault *ProtectedVault) UnpackWithdrawLimit(data []byte) (*big.Int, error) {
	out, err := protectedVault.abi.Unpack("withdrawLimit", data)
	if err != nil {
		return new(big.Int), err
	}
	out0 := abi.ConvertType(out[0], new(big.Int)).(*big.Int)
	return out0, nil
}

// ProtectedVaultDeposited represents a Deposited event raised by the ProtectedVault contract.
type ProtectedVaultDeposited struct {
	Account common.Address
	Amount  *big.Int
	Raw     *types.Log // Blockchain specific contextual infos
}

const ProtectedVaultDepositedEventName = "Deposited"

// ContractEventName returns the user-defined event name.
func (ProtectedVaultDeposited) ContractEventName() string {
	return ProtectedVaultDepositedEventName
}

// UnpackDepositedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Deposited(address indexed account, uint256 amount)
func (protectedVault *ProtectedVault) UnpackDepositedEvent(log *types.Log) (*ProtectedVaultDeposited, error) {
	event := "Deposited"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != protectedVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ProtectedVaultDeposited)
	if len(log.Data) > 0 {
		if err := protectedVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range protectedVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ProtectedVaultPaused represents a Paused event raised by the ProtectedVault contract.
type ProtectedVaultPaused struct {
	Account common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const ProtectedVaultPausedEventName = "Paused"

// ContractEventName returns the user-defined event name.
func (ProtectedVaultPaused) ContractEventName() string {
	return ProtectedVaultPausedEventName
}

// UnpackPausedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Paused(address account)
func (protectedVault *ProtectedVault) UnpackPausedEvent(log *types.Log) (*ProtectedVaultPaused, error) {
	event := "Paused"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != protectedVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ProtectedVaultPaused)
	if len(log.Data) > 0 {
		if err := protectedVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range protectedVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ProtectedVaultRoleAdminChanged represents a RoleAdminChanged event raised by the ProtectedVault contract.
type ProtectedVaultRoleAdminChanged struct {
	Role              [32]byte
	PreviousAdminRole [32]byte
	NewAdminRole      [32]byte
	Raw               *types.Log // Blockchain specific contextual infos
}

const ProtectedVaultRoleAdminChangedEventName = "RoleAdminChanged"

// ContractEventName returns the user-defined event name.
func (ProtectedVaultRoleAdminChanged) ContractEventName() string {
	return ProtectedVaultRoleAdminChangedEventName
}

// UnpackRoleAdminChangedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)
func (protectedVault *ProtectedVault) UnpackRoleAdminChangedEvent(log *types.Log) (*ProtectedVaultRoleAdminChanged, error) {
	event := "RoleAdminChanged"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != protectedVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ProtectedVaultRoleAdminChanged)
	if len(log.Data) > 0 {
		if err := protectedVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range protectedVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ProtectedVaultRoleGranted represents a RoleGranted event raised by the ProtectedVault contract.
type ProtectedVaultRoleGranted struct {
	Role    [32]byte
	Account common.Address
	Sender  common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const ProtectedVaultRoleGrantedEventName = "RoleGranted"

// ContractEventName returns the user-defined event name.
func (ProtectedVaultRoleGranted) ContractEventName() string {
	return ProtectedVaultRoleGrantedEventName
}

// UnpackRoleGrantedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)
func (protectedVault *ProtectedVault) UnpackRoleGrantedEvent(log *types.Log) (*ProtectedVaultRoleGranted, error) {
	event := "RoleGranted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != protectedVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ProtectedVaultRoleGranted)
	if len(log.Data) > 0 {
		if err := protectedVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range protectedVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ProtectedVaultRoleRevoked represents a RoleRevoked event raised by the ProtectedVault contract.
type ProtectedVaultRoleRevoked struct {
	Role    [32]byte
	Account common.Address
	Sender  common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const ProtectedVaultRoleRevokedEventName = "RoleRevoked"

// ContractEventName returns the user-defined event name.
func (ProtectedVaultRoleRevoked) ContractEventName() string {
	return ProtectedVaultRoleRevokedEventName
}

// UnpackRoleRevokedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)
func (protectedVault *ProtectedVault) UnpackRoleRevokedEvent(log *types.Log) (*ProtectedVaultRoleRevoked, error) {
	event := "RoleRevoked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != protectedVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ProtectedVaultRoleRevoked)
	if len(log.Data) > 0 {
		if err := protectedVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range protectedVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ProtectedVaultSwept represents a Swept event raised by the ProtectedVault contract.
type ProtectedVaultSwept struct {
	Operator common.Address
	To       common.Address
	Amount   *big.Int
	Raw      *types.Log // Blockchain specific contextual infos
}

const ProtectedVaultSweptEventName = "Swept"

// ContractEventName returns the user-defined event name.
func (ProtectedVaultSwept) ContractEventName() string {
	return ProtectedVaultSweptEventName
}

// UnpackSweptEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Swept(address indexed operator, address indexed to, uint256 amount)
func (protectedVault *ProtectedVault) UnpackSweptEvent(log *types.Log) (*ProtectedVaultSwept, error) {
	event := "Swept"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != protectedVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ProtectedVaultSwept)
	if len(log.Data) > 0 {
		if err := protectedVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range protectedVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ProtectedVaultUnpaused represents a Unpaused event raised by the ProtectedVault contract.
type ProtectedVaultUnpaused struct {
	Account common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const ProtectedVaultUnpausedEventName = "Unpaused"

// ContractEventName returns the user-defined event name.
func (ProtectedVaultUnpaused) ContractEventName() string {
	return ProtectedVaultUnpausedEventName
}

// UnpackUnpausedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Unpaused(address account)
func (protectedVault *ProtectedVault) UnpackUnpausedEvent(log *types.Log) (*ProtectedVaultUnpaused, error) {
	event := "Unpaused"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != protectedVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ProtectedVaultUnpaused)
	if len(log.Data) > 0 {
		if err := protectedVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range protectedVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ProtectedVaultWithdrawLimitSet represents a WithdrawLimitSet event raised by the ProtectedVault contract.
type ProtectedVaultWithdrawLimitSet struct {
	Operator common.Address
	Limit    *big.Int
	Raw      *types.Log // Blockchain specific contextual infos
}

const ProtectedVaultWithdrawLimitSetEventName = "WithdrawLimitSet"

// ContractEventName returns the user-defined event name.
func (ProtectedVaultWithdrawLimitSet) ContractEventName() string {
	return ProtectedVaultWithdrawLimitSetEventName
}

// UnpackWithdrawLimitSetEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event WithdrawLimitSet(address indexed operator, uint256 limit)
func (protectedVault *ProtectedVault) UnpackWithdrawLimitSetEvent(log *types.Log) (*ProtectedVaultWithdrawLimitSet, error) {
	event := "WithdrawLimitSet"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != protectedVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ProtectedVaultWithdrawLimitSet)
	if len(log.Data) > 0 {
		if err := protectedVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range protectedVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// ProtectedVaultWithdrawn represents a Withdrawn event raised by the ProtectedVault contract.
type ProtectedVaultWithdrawn struct {
	Account common.Address
	Amount  *big.Int
	Raw     *types.Log // Blockchain specific contextual infos
}

const ProtectedVaultWithdrawnEventName = "Withdrawn"

// ContractEventName returns the user-defined event name.
func (ProtectedVaultWithdrawn) ContractEventName() string {
	return ProtectedVaultWithdrawnEventName
}

// UnpackWithdrawnEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Withdrawn(address indexed account, uint256 amount)
func (protectedVault *ProtectedVault) UnpackWithdrawnEvent(log *types.Log) (*ProtectedVaultWithdrawn, error) {
	event := "Withdrawn"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != protectedVault.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(ProtectedVaultWithdrawn)
	if len(log.Data) > 0 {
		if err := protectedVault.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range protectedVault.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (protectedVault *ProtectedVault) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], protectedVault.abi.Errors["AccessControlBadConfirmation"].ID.Bytes()[:4]) {
		return protectedVault.UnpackAccessControlBadConfirmationError(raw[4:])
	}
	if bytes.Equal(raw[:4], protectedVault.abi.Errors["AccessControlUnauthorizedAccount"].ID.Bytes()[:4]) {
		return protectedVault.UnpackAccessControlUnauthorizedAccountError(raw[4:])
	}
	if bytes.Equal(raw[:4], protectedVault.abi.Errors["EnforcedPause"].ID.Bytes()[:4]) {
		return protectedVault.UnpackEnforcedPauseError(raw[4:])
	}
	if bytes.Equal(raw[:4], protectedVault.abi.Errors["ExpectedPause"].ID.Bytes()[:4]) {
		return protectedVault.UnpackExpectedPauseError(raw[4:])
	}
	if bytes.Equal(raw[:4], protectedVault.abi.Errors["InsufficientBalance"].ID.Bytes()[:4]) {
		return protectedVault.UnpackInsufficientBalanceError(raw[4:])
	}
	if bytes.Equal(raw[:4], protectedVault.abi.Errors["TransferFailed"].ID.Bytes()[:4]) {
		return protectedVault.UnpackTransferFailedError(raw[4:])
	}
	if bytes.Equal(raw[:4], protectedVault.abi.Errors["WithdrawLimitExceeded"].ID.Bytes()[:4]) {
		return protectedVault.UnpackWithdrawLimitExceededError(raw[4:])
	}
	if bytes.Equal(raw[:4], protectedVault.abi.Errors["ZeroAddress"].ID.Bytes()[:4]) {
		return protectedVault.UnpackZeroAddressError(raw[4:])
	}
	if bytes.Equal(raw[:4], protectedVault.abi.Errors["ZeroAmount"].ID.Bytes()[:4]) {
		return protectedVault.UnpackZeroAmountError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// ProtectedVaultAccessControlBadConfirmation represents a AccessControlBadConfirmation error raised by the ProtectedVault contract.
type ProtectedVaultAccessControlBadConfirmation struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessControlBadConfirmation()
func ProtectedVaultAccessControlBadConfirmationErrorID() common.Hash {
	return common.HexToHash("0x6697b23232a647058342c0724fe7c415cab25915b54e5dbc03f233173d37b41c")
}

// UnpackAccessControlBadConfirmationError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessControlBadConfirmation()
func (protectedVault *ProtectedVault) UnpackAccessControlBadConfirmationError(raw []byte) (*ProtectedVaultAccessControlBadConfirmation, error) {
	out := new(ProtectedVaultAccessControlBadConfirmation)
	if err := protectedVault.abi.UnpackIntoInterface(out, "AccessControlBadConfirmation", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ProtectedVaultAccessControlUnauthorizedAccount represents a AccessControlUnauthorizedAccount error raised by the ProtectedVault contract.
type ProtectedVaultAccessControlUnauthorizedAccount struct {
	Account    common.Address
	NeededRole [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)
func ProtectedVaultAccessControlUnauthorizedAccountErrorID() common.Hash {
	return common.HexToHash("0xe2517d3fbfae6f8515ef5ff1ccedc3933ab0cbbda0b492c06eb54ad10ef03b3e")
}

// UnpackAccessControlUnauthorizedAccountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)
func (protectedVault *ProtectedVault) UnpackAccessControlUnauthorizedAccountError(raw []byte) (*ProtectedVaultAccessControlUnauthorizedAccount, error) {
	out := new(ProtectedVaultAccessControlUnauthorizedAccount)
	if err := protectedVault.abi.UnpackIntoInterface(out, "AccessControlUnauthorizedAccount", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ProtectedVaultEnforcedPause represents a EnforcedPause error raised by the ProtectedVault contract.
type ProtectedVaultEnforcedPause struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error EnforcedPause()
func ProtectedVaultEnforcedPauseErrorID() common.Hash {
	return common.HexToHash("0xd93c0665d6c96d04a8f174024fc4ddd66c250604aff22bbec808de86dd3637e3")
}

// UnpackEnforcedPauseError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error EnforcedPause()
func (protectedVault *ProtectedVault) UnpackEnforcedPauseError(raw []byte) (*ProtectedVaultEnforcedPause, error) {
	out := new(ProtectedVaultEnforcedPause)
	if err := protectedVault.abi.UnpackIntoInterface(out, "EnforcedPause", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ProtectedVaultExpectedPause represents a ExpectedPause error raised by the ProtectedVault contract.
type ProtectedVaultExpectedPause struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ExpectedPause()
func ProtectedVaultExpectedPauseErrorID() common.Hash {
	return common.HexToHash("0x8dfc202bcfe9a735b559bee70674422512bc5c30f687046ae8778315fb81da44")
}

// UnpackExpectedPauseError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ExpectedPause()
func (protectedVault *ProtectedVault) UnpackExpectedPauseError(raw []byte) (*ProtectedVaultExpectedPause, error) {
	out := new(ProtectedVaultExpectedPause)
	if err := protectedVault.abi.UnpackIntoInterface(out, "ExpectedPause", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ProtectedVaultInsufficientBalance represents a InsufficientBalance error raised by the ProtectedVault contract.
type ProtectedVaultInsufficientBalance struct {
	Balance *big.Int
	Amount  *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InsufficientBalance(uint256 balance, uint256 amount)
func ProtectedVaultInsufficientBalanceErrorID() common.Hash {
	return common.HexToHash("0xcf4791818fba6e019216eb4864093b4947f674afada5d305e57d598b641dad1d")
}

// UnpackInsufficientBalanceError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InsufficientBalance(uint256 balance, uint256 amount)
func (protectedVault *ProtectedVault) UnpackInsufficientBalanceError(raw []byte) (*ProtectedVaultInsufficientBalance, error) {
	out := new(ProtectedVaultInsufficientBalance)
	if err := protectedVault.abi.UnpackIntoInterface(out, "InsufficientBalance", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ProtectedVaultTransferFailed represents a TransferFailed error raised by the ProtectedVault contract.
type ProtectedVaultTransferFailed struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TransferFailed()
func ProtectedVaultTransferFailedErrorID() common.Hash {
	return common.HexToHash("0x90b8ec1877afffd816d05d9b13947f3ff18ec5851c38bad15ec2b710f92391b1")
}

// UnpackTransferFailedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TransferFailed()
func (protectedVault *ProtectedVault) UnpackTransferFailedError(raw []byte) (*ProtectedVaultTransferFailed, error) {
	out := new(ProtectedVaultTransferFailed)
	if err := protectedVault.abi.UnpackIntoInterface(out, "TransferFailed", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ProtectedVaultWithdrawLimitExceeded represents a WithdrawLimitExceeded error raised by the ProtectedVault contract.
type ProtectedVaultWithdrawLimitExceeded struct {
	Limit  *big.Int
	Amount *big.Int
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error WithdrawLimitExceeded(uint256 limit, uint256 amount)
func ProtectedVaultWithdrawLimitExceededErrorID() common.Hash {
	return common.HexToHash("0x016d0ef113b902a0d92943887c648171fe37cf7eaca2c9abecfb9924ff1847dd")
}

// UnpackWithdrawLimitExceededError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error WithdrawLimitExceeded(uint256 limit, uint256 amount)
func (protectedVault *ProtectedVault) UnpackWithdrawLimitExceededError(raw []byte) (*ProtectedVaultWithdrawLimitExceeded, error) {
	out := new(ProtectedVaultWithdrawLimitExceeded)
	if err := protectedVault.abi.UnpackIntoInterface(out, "WithdrawLimitExceeded", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ProtectedVaultZeroAddress represents a ZeroAddress error raised by the ProtectedVault contract.
type ProtectedVaultZeroAddress struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAddress()
func ProtectedVaultZeroAddressErrorID() common.Hash {
	return common.HexToHash("0xd92e233df2717d4a40030e20904abd27b68fcbeede117eaaccbbdac9618c8c73")
}

// UnpackZeroAddressError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAddress()
func (protectedVault *ProtectedVault) UnpackZeroAddressError(raw []byte) (*ProtectedVaultZeroAddress, error) {
	out := new(ProtectedVaultZeroAddress)
	if err := protectedVault.abi.UnpackIntoInterface(out, "ZeroAddress", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// ProtectedVaultZeroAmount represents a ZeroAmount error raised by the ProtectedVault contract.
type ProtectedVaultZeroAmount struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAmount()
func ProtectedVaultZeroAmountErrorID() common.Hash {
	return common.HexToHash("0x1f2a2005cb66a8e145327e8814e243a0996aec9bfe1e15a495778b1236dbd485")
}

// UnpackZeroAmountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAmount()
func (protectedVault *ProtectedVault) UnpackZeroAmountError(raw []byte) (*ProtectedVaultZeroAmount, error) {
	out := new(ProtectedVaultZeroAmount)
	if err := protectedVault.abi.UnpackIntoInterface(out, "ZeroAmount", raw); err != nil {
		return nil, err
	}
	return out, nil
}
